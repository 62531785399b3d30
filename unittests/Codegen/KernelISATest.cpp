//===- KernelISATest.cpp - Which kernel variant a CPU gets -----*- C++ -*-===//
//
// selectKernelISA and canRunKernelISA on the feature sets of real CPUs:
// the VNNI forms are not nested (Ice Lake has AVX512-VNNI without
// AVX-VNNI, Alder Lake the reverse), so neither is an order of the other.
//
//===----------------------------------------------------------------------===//

#include "qopt/Codegen/KernelISA.h"

#include "llvm/ADT/StringSet.h"

#include "gtest/gtest.h"

#include <initializer_list>

using namespace qopt;

namespace {

/// The features named, and no others.
struct Features {
  llvm::StringSet<> names;
  Features(std::initializer_list<const char *> list) {
    for (const char *name : list)
      names.insert(name);
  }
  bool operator()(llvm::StringRef name) const { return names.contains(name); }
};

const Features kZen3{"avx2", "fma"};
const Features kAlderLake{"avx2", "fma", "avxvnni"};
const Features kIceLake{"avx2",     "fma",      "avx512f",   "avx512bw",
                        "avx512dq", "avx512vl", "avx512vnni"};
const Features kSapphireRapids{"avx2",     "fma",      "avx512f",    "avx512bw",
                               "avx512dq", "avx512vl", "avx512vnni", "avxvnni",
                               "amx-tile", "amx-int8"};
// Sapphire Rapids' features without AMX (a hypervisor may hide it).
const Features kNoAMX{"avx2",     "fma",      "avx512f",    "avx512bw",
                      "avx512dq", "avx512vl", "avx512vnni", "avxvnni"};

TEST(KernelISA, FastestVariantOfACpu) {
  EXPECT_EQ(selectKernelISA(Features{}), KernelISA::Generic);
  // The AVX2 kernels' float parts use FMA3.
  EXPECT_EQ(selectKernelISA(Features{"avx2"}), KernelISA::Generic);
  EXPECT_EQ(selectKernelISA(kZen3), KernelISA::AVX2);
  EXPECT_EQ(selectKernelISA(kAlderLake), KernelISA::AVXVNNI);
  EXPECT_EQ(selectKernelISA(kIceLake), KernelISA::AVX512VNNI);
  EXPECT_EQ(selectKernelISA(kSapphireRapids), KernelISA::AMX);
  EXPECT_EQ(selectKernelISA(kNoAMX), KernelISA::AVX512VNNI);
  // AMX's fallback, where Linux refuses the tile state, is AVX512-VNNI's
  // kernel: tiles without AVX512-VNNI are not enough.
  EXPECT_EQ(selectKernelISA(
                Features{"avx2", "fma", "avxvnni", "amx-tile", "amx-int8"}),
            KernelISA::AVXVNNI);
  // AVX512-VNNI without one of the other four AVX-512 parts is not enough.
  EXPECT_EQ(selectKernelISA(Features{"avx2", "fma", "avx512f", "avx512bw",
                                     "avx512dq", "avx512vnni"}),
            KernelISA::AVX2);
}

TEST(KernelISA, WhatACpuCanRun) {
  for (KernelISA isa : {KernelISA::None, KernelISA::Generic})
    EXPECT_TRUE(canRunKernelISA(isa, Features{}));
  EXPECT_FALSE(canRunKernelISA(KernelISA::AVX2, Features{}));
  EXPECT_FALSE(canRunKernelISA(KernelISA::AVXVNNI, kZen3));
  EXPECT_TRUE(canRunKernelISA(KernelISA::AVX2, kAlderLake));
  EXPECT_TRUE(canRunKernelISA(KernelISA::AVXVNNI, kAlderLake));
  EXPECT_FALSE(canRunKernelISA(KernelISA::AVX512VNNI, kAlderLake));
  EXPECT_FALSE(canRunKernelISA(KernelISA::AVXVNNI, kIceLake));
  EXPECT_TRUE(canRunKernelISA(KernelISA::AVX2, kIceLake));
  EXPECT_TRUE(canRunKernelISA(KernelISA::AVXVNNI, kSapphireRapids));
  EXPECT_TRUE(canRunKernelISA(KernelISA::AVX512VNNI, kSapphireRapids));
  EXPECT_FALSE(canRunKernelISA(KernelISA::AMX, kIceLake));
  EXPECT_FALSE(canRunKernelISA(KernelISA::AMX, kNoAMX));
  EXPECT_FALSE(
      canRunKernelISA(KernelISA::AMX, Features{"avx2", "fma", "avxvnni",
                                               "amx-tile", "amx-int8"}));
  EXPECT_FALSE(canRunKernelISA(
      KernelISA::AMX, Features{"avx2", "fma", "avx512f", "avx512bw", "avx512dq",
                               "avx512vl", "avx512vnni", "amx-tile"}));
}

TEST(KernelISA, NamesRoundTrip) {
  for (KernelISA isa :
       {KernelISA::None, KernelISA::Generic, KernelISA::AVX2,
        KernelISA::AVXVNNI, KernelISA::AVX512VNNI, KernelISA::AMX})
    EXPECT_EQ(parseKernelISA(stringifyKernelISA(isa)), isa);
  EXPECT_EQ(parseKernelISA("avx-vnni"), std::nullopt);
}

} // namespace
