// RUN: qopt %s --split-input-file --verify-diagnostics
// One case per qnn.observe verifier rule.

func.func @quant_min_alone(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op quant_min and quant_max must be given together}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, quant_min = 0} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @ch_axis_per_tensor(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op ch_axis applies only to per-channel observers}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, ch_axis = 0} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @averaging_constant_minmax(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op averaging_constant applies only to the moving_average_minmax observer}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, averaging_constant = 0.5 : f32} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @averaging_constant_range(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op the averaging constant must be in (0, 1]}}
  %y = qnn.observe %x {observer = #qnn.observer<moving_average_minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, averaging_constant = 1.5 : f32} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @histogram_per_channel(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op the histogram observer is per tensor only}}
  %y = qnn.observe %x {observer = #qnn.observer<histogram>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_channel_affine>} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @per_channel_scheme_minmax(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op a per-channel qscheme needs the per_channel_minmax observer}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<qint8>, qscheme = #qnn.qscheme<per_channel_symmetric>} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @per_channel_observer_tensor_scheme(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op a per-channel observer needs a per-channel qscheme}}
  %y = qnn.observe %x {observer = #qnn.observer<per_channel_minmax>, dtype = #qnn.dtype<qint8>, qscheme = #qnn.qscheme<per_tensor_symmetric>} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @symmetric_quint8_reduce_range(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op reduce_range is not supported with symmetric quint8 quantization (PyTorch's MinMaxObserver refuses it)}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_symmetric>, reduce_range} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @custom_range(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op quant_min and quant_max must satisfy storage min <= quant_min <= 0 <= quant_max <= storage max with quant_min < quant_max}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, quant_min = 0, quant_max = 300} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @ch_axis_out_of_range(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'qnn.observe' op ch_axis 2 is out of range for a rank-2 tensor}}
  %y = qnn.observe %x {observer = #qnn.observer<per_channel_minmax>, dtype = #qnn.dtype<qint8>, qscheme = #qnn.qscheme<per_channel_symmetric>, ch_axis = 2} : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @min_without_max(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op min and max must have the same number of elements, got 1 and 0}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, min = array<f32: 0.0>} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @histogram_on_minmax(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op only the histogram observer records a histogram}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, min = array<f32: 0.0>, max = array<f32: 1.0>, histogram = array<f32: 1.0>} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @histogram_without_range(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op a histogram needs min and max}}
  %y = qnn.observe %x {observer = #qnn.observer<histogram>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, histogram = array<f32: 1.0>} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @two_values_per_tensor(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op a per-tensor observer records one min and max, got 2}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, min = array<f32: 0.0, 0.0>, max = array<f32: 1.0, 1.0>} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @channel_count(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'qnn.observe' op per-channel statistics have 2 entries but dimension 1 has 3}}
  %y = qnn.observe %x {observer = #qnn.observer<per_channel_minmax>, dtype = #qnn.dtype<qint8>, qscheme = #qnn.qscheme<per_channel_symmetric>, ch_axis = 1, min = array<f32: 0.0, 0.0>, max = array<f32: 1.0, 1.0>} : tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

func.func @inverted_range(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op observed range [2.000000e+00, 1.000000e+00] is not a finite range with min <= max}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, min = array<f32: 2.0>, max = array<f32: 1.0>} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @histogram_bins(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op the histogram has 2 bins, expected 2048}}
  %y = qnn.observe %x {observer = #qnn.observer<histogram>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, min = array<f32: 0.0>, max = array<f32: 1.0>, histogram = array<f32: 1.0, 2.0>} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @quantized_input(%x: tensor<2x!quant.uniform<u8:f32, 0.1>>) {
  // expected-error @+1 {{'qnn.observe' op operand #0 must be ranked tensor of 32-bit float values}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<2x!quant.uniform<u8:f32, 0.1>>
  return
}

// -----

func.func @no_updates(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op updates must be at least 1, got 0}}
  %y = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, updates = 0 : i64} : tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

func.func @shares_not_an_observer(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'qnn.observe' op shares the observer of a value that is not the result of an unshared qnn.observe}}
  %z = qnn.observe %x shares %y : tensor<2xf32> {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<2xf32>
  return %z : tensor<2xf32>
}

// -----

func.func @shares_a_sharer(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<2xf32>
  %b = qnn.observe %a shares %a : tensor<2xf32> {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<2xf32>
  // expected-error @+1 {{'qnn.observe' op shares the observer of a value that is not the result of an unshared qnn.observe}}
  %c = qnn.observe %b shares %b : tensor<2xf32> {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<2xf32>
  return %c : tensor<2xf32>
}

// -----

func.func @shares_other_settings(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<2xf32>
  // expected-error @+1 {{'qnn.observe' op a sharing observer has the settings of the observer it shares}}
  %b = qnn.observe %a shares %a : tensor<2xf32> {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, reduce_range} : tensor<2xf32>
  return %b : tensor<2xf32>
}

// -----

func.func @shares_with_statistics(%x: tensor<2xf32>) -> tensor<2xf32> {
  %a = qnn.observe %x {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>} : tensor<2xf32>
  // expected-error @+1 {{'qnn.observe' op a sharing observer has no updates or statistics of its own: they are its root's}}
  %b = qnn.observe %a shares %a : tensor<2xf32> {observer = #qnn.observer<minmax>, dtype = #qnn.dtype<quint8>, qscheme = #qnn.qscheme<per_tensor_affine>, min = array<f32: 0.0>, max = array<f32: 1.0>} : tensor<2xf32>
  return %b : tensor<2xf32>
}
