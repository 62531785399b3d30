//===- QNNOpsTest.cpp - Tests of the qnn C++ API ----------------*- C++ -*-===//
//
// Passes build qnn operations from C++: these tests pin the builders, the
// accessors that fill in defaults, and the verifier as seen from C++.
//
//===----------------------------------------------------------------------===//

#include "qopt/Dialect/QNN/IR/QNN.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include "gtest/gtest.h"

using namespace mlir;
using namespace qopt::qnn;

namespace {

class QNNOpsTest : public ::testing::Test {
protected:
  QNNOpsTest() : builder(&context) {
    context.loadDialect<QNNDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A block argument of type `type`, standing for a function argument.
  Value argument(Type type) {
    if (!block) {
      // create() inserts the function at the end of the module.
      auto func = func::FuncOp::create(builder, builder.getUnknownLoc(), "f",
                                       builder.getFunctionType({}, {}));
      block = func.addEntryBlock();
      builder.setInsertionPointToEnd(block);
    }
    return block->addArgument(type, builder.getUnknownLoc());
  }

  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, builder.getF32Type());
  }

  /// Verifies `op`, returning the first diagnostic message (empty on success).
  std::string verifyMessage(Operation *op) {
    std::string message;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
      if (message.empty())
        message = diag.str();
      return success();
    });
    if (succeeded(verify(op)))
      return "";
    return message;
  }

  MLIRContext context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  Block *block = nullptr;
};

TEST_F(QNNOpsTest, ConvDefaults) {
  Value x = argument(f32({1, 3, 8, 8}));
  Value w = argument(f32({4, 3, 3, 3}));
  auto conv =
      ConvOp::create(builder, builder.getUnknownLoc(), f32({1, 4, 6, 6}), x, w,
                     /*bias=*/Value(),
                     /*strides=*/nullptr, /*padding=*/nullptr,
                     /*dilation=*/nullptr, /*groups=*/1, Activation::None);
  EXPECT_EQ(verifyMessage(conv), "");
  EXPECT_EQ(conv.getNumSpatialDims(), 2);
  EXPECT_EQ(conv.getStridesOrDefault(), (SmallVector<int64_t>{1, 1}));
  EXPECT_EQ(conv.getPaddingOrDefault(), (SmallVector<int64_t>{0, 0}));
  EXPECT_EQ(conv.getDilationOrDefault(), (SmallVector<int64_t>{1, 1}));
  EXPECT_EQ(conv.getActivation(), Activation::None);
  EXPECT_FALSE(conv.getBias());
}

TEST_F(QNNOpsTest, ConvVerifierFromCpp) {
  Value x = argument(f32({1, 3, 8}));
  Value w = argument(f32({4, 3, 3}));
  auto conv = ConvOp::create(
      builder, builder.getUnknownLoc(), f32({1, 4, 5}), x, w, Value(),
      builder.getDenseI64ArrayAttr({1}), builder.getDenseI64ArrayAttr({0}),
      builder.getDenseI64ArrayAttr({1}), 1, Activation::Relu);
  EXPECT_EQ(verifyMessage(conv),
            "'qnn.conv' op result spatial dimension 0 is 5, but input size 8, "
            "kernel 3, stride 1, padding 0, dilation 1 give 6");
}

TEST_F(QNNOpsTest, MaxPoolStridesDefaultToKernel) {
  Value x = argument(f32({1, 2, 9, 9}));
  auto pool = MaxPoolOp::create(
      builder, builder.getUnknownLoc(), f32({1, 2, 3, 3}), x,
      builder.getDenseI64ArrayAttr({3, 3}), /*strides=*/nullptr,
      /*padding=*/nullptr, /*dilation=*/nullptr, /*ceil_mode=*/false);
  EXPECT_EQ(verifyMessage(pool), "");
  EXPECT_EQ(pool.getStridesOrDefault(), (SmallVector<int64_t>{3, 3}));
  EXPECT_EQ(pool.getPaddingOrDefault(), (SmallVector<int64_t>{0, 0}));
  EXPECT_EQ(pool.getDilationOrDefault(), (SmallVector<int64_t>{1, 1}));
}

TEST_F(QNNOpsTest, QuantizedTypesFromCpp) {
  Type u8 = builder.getIntegerType(8);
  auto act = quant::UniformQuantizedType::get(
      /*flags=*/0, u8, builder.getF32Type(), 0.05, 128, 0, 255);
  auto tensor = RankedTensorType::get({2, 3}, act);
  EXPECT_TRUE(isQuantized(tensor));
  EXPECT_TRUE(isQuantized(act));
  EXPECT_FALSE(isQuantized(f32({2, 3})));

  Value x = argument(f32({2, 3}));
  auto quantize =
      QuantizeOp::create(builder, builder.getUnknownLoc(), tensor, x);
  EXPECT_EQ(verifyMessage(quantize), "");

  // A zero point the quant type accepts but the storage cannot hold.
  auto bad = quant::UniformQuantizedType::get(0, u8, builder.getF32Type(), 0.05,
                                              300, 0, 255);
  auto badQuantize = QuantizeOp::create(builder, builder.getUnknownLoc(),
                                        RankedTensorType::get({2, 3}, bad), x);
  EXPECT_EQ(verifyMessage(badQuantize),
            "'qnn.quantize' op result zero point 300 is outside the storage "
            "range [0, 255]");
}

TEST_F(QNNOpsTest, ActivationEnumRoundTrips) {
  for (Activation activation :
       {Activation::None, Activation::Relu, Activation::Relu6})
    EXPECT_EQ(symbolizeActivation(stringifyActivation(activation)), activation);
  EXPECT_FALSE(symbolizeActivation("gelu").has_value());
}

TEST_F(QNNOpsTest, ParsesAndVerifiesText) {
  const char *source = R"mlir(
    func.func @f(%x: tensor<1x8xf32>) -> tensor<1x8xf32> {
      %s = qnn.quant_stub %x : tensor<1x8xf32>
      %y = qnn.clamp %s {min = 0.0 : f32, max = 6.0 : f32} : tensor<1x8xf32>
      return %y : tensor<1x8xf32>
    }
  )mlir";
  OwningOpRef<ModuleOp> parsed =
      parseSourceString<ModuleOp>(source, ParserConfig(&context));
  ASSERT_TRUE(parsed);
  int clamps = 0;
  parsed->walk([&](ClampOp clamp) {
    ++clamps;
    EXPECT_EQ(clamp.getMax().convertToFloat(), 6.0f);
  });
  EXPECT_EQ(clamps, 1);
}

} // namespace
