// A dense array of index elements crashes MLIR 22's parser
// (llvm/llvm-project issue 179045). In a comment it is harmless:
// array<index: 1>
func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> attributes {note = "array<index: 2>"} {
  %y = qnn.relu %x {bad = array< index : 3>} : tensor<2xf32>
  return %y : tensor<2xf32>
}
