//===- QCGOps.td - qopt code generation dialect ------------*- tablegen -*-===//
//
// The qcg dialect: what the code generation stage emits between qnn and the
// LLVM dialect. Today one operation, a call into qopt's kernel library.
//
//===----------------------------------------------------------------------===//

#ifndef QOPT_CODEGEN_IR_QCGOPS_TD
#define QOPT_CODEGEN_IR_QCGOPS_TD

include "mlir/IR/OpBase.td"
include "mlir/Interfaces/DestinationStyleOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def QCG_Dialect : Dialect {
  let name = "qcg";
  let cppNamespace = "::qopt::qcg";
  let summary = "qopt's code generation: calls into the int8 kernel library";
  let description = [{
    Operations of qopt's code generation stage (docs/Architecture.md,
    "Code generation"). The kernels themselves are C functions
    (lib/Codegen/Kernels) compiled to bitcode when qopt is built and linked
    into every compiled module, so a compiled model still needs nothing but
    libc at run time.
  }];
}

def QCG_TensorOrMemRef : AnyTypeOf<[AnyRankedTensor, AnyMemRef]>;

def QCG_UKernelOp : Op<QCG_Dialect, "ukernel", [
    AttrSizedOperandSegments,
    DestinationStyleOpInterface,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Call a kernel of qopt's kernel library";
  let description = [{
    Calls the C function `name` of the kernel library with the inputs, the
    outputs and the scalars, in that order: each tensor or memref as a
    pointer to its first element (the buffer dense and row-major), each
    scalar as an `int64_t`. The kernel reads the inputs and overwrites every
    element of the outputs (it never reads them), so an output's initial
    contents do not matter; the kernel's contract (lib/Codegen/Kernels,
    include/qopt/Codegen/KernelABI.h) says what it computes.

    On tensors the op is in destination style: one result per output, the
    output's tensor rewritten. After bufferization it has memref operands
    and no results.

    Example:

    ```mlir
    %y, %ws = qcg.ukernel "qopt_qconv_avx2"
        ins(%desc, %x, %w, %chan : tensor<29xi64>, tensor<1x8x8x3xi8>,
            tensor<128xi8>, tensor<96xi32>)
        outs(%empty, %scratch : tensor<1x8x8x16xi8>, tensor<4096xi8>)
        scalars(%batch : i64) -> tensor<1x8x8x16xi8>, tensor<4096xi8>
    ```
  }];
  let arguments = (ins
    StrAttr:$name,
    Variadic<QCG_TensorOrMemRef>:$inputs,
    Variadic<QCG_TensorOrMemRef>:$outputs,
    Variadic<AnySignlessIntegerOrIndex>:$scalars
  );
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = [{
    $name (`ins` `(` $inputs^ `:` type($inputs) `)`)?
    `outs` `(` $outputs `:` type($outputs) `)`
    (`scalars` `(` $scalars^ `:` type($scalars) `)`)?
    attr-dict (`->` type($results)^)?
  }];
  let extraClassDeclaration = [{
    ::mlir::MutableOperandRange getDpsInitsMutable() {
      return getOutputsMutable();
    }
  }];
  let hasVerifier = 1;
}

#endif // QOPT_CODEGEN_IR_QCGOPS_TD
