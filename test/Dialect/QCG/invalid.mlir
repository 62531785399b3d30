// RUN: qopt %s --split-input-file --verify-diagnostics

func.func @no_name(%y: memref<4xi8>) {
  // expected-error @+1 {{'qcg.ukernel' op needs the name of a kernel}}
  qcg.ukernel "" outs(%y : memref<4xi8>)
  return
}

// -----

func.func @no_output() {
  // expected-error @+1 {{'qcg.ukernel' op needs at least one output}}
  "qcg.ukernel"() <{name = "k", operandSegmentSizes = array<i32: 0, 0, 0>}> : () -> ()
  return
}

// -----

func.func @mixed(%x: tensor<4xi8>, %y: memref<4xi8>) {
  // expected-error @+1 {{'qcg.ukernel' op operands must be all tensors or all memrefs}}
  qcg.ukernel "k" ins(%x : tensor<4xi8>) outs(%y : memref<4xi8>)
  return
}

// -----

func.func @results_on_memrefs(%y: memref<4xi8>) {
  // expected-error @+1 {{'qcg.ukernel' op on memrefs has no results}}
  %r = "qcg.ukernel"(%y) <{name = "k", operandSegmentSizes = array<i32: 0, 1, 0>}> : (memref<4xi8>) -> tensor<4xi8>
  return
}

// -----

func.func @result_count(%y: tensor<4xi8>) {
  // expected-error @+1 {{'qcg.ukernel' op on tensors has one result per output: 1 outputs but 0 results}}
  qcg.ukernel "k" outs(%y : tensor<4xi8>)
  return
}

// -----

func.func @result_type(%y: tensor<4xi8>) {
  // expected-error @+1 {{'qcg.ukernel' op result 0 has type 'tensor<4xi32>' but output 0 has type 'tensor<4xi8>'}}
  %r = qcg.ukernel "k" outs(%y : tensor<4xi8>) -> tensor<4xi32>
  return
}
