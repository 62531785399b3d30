/*===- ModelEntry.c - The C entry point of a compiled model ------*- C -*-===*\
|*                                                                          *|
|* qcc gives every model three exported functions (include/qopt/Compiler/  *|
|* ModelABI.h); PREFIX_run_arrays calls qopt_model_run here with the       *|
|* model's static description and a wrapper `call` that takes the memref   *|
|* descriptors of the results and the arguments, in the order of MLIR's    *|
|* C interface (`_mlir_ciface_<function>`): args[0] points at the results  *|
|* (when the function has any; the descriptors one after the other), then  *|
|* one pointer per argument descriptor.                                     *|
|*                                                                          *|
|* A descriptor of rank r is 3 + 2r words of 8 bytes: allocated and        *|
|* aligned pointers, offset, sizes, strides. Results have identity layouts *|
|* at the function boundary (the lowering asks for them), so each is one   *|
|* copy into the caller's buffer; then its buffer is freed, unless it is a *|
|* constant (allocated pointer 0xdeadbeef), one of the caller's inputs, or *|
|* a buffer an earlier result returned too.                                 *|
|*                                                                          *|
|* Linked as an internal function into every model, like the kernels.      *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include "qopt/Compiler/ModelABI.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

void _mlir_memref_to_llvm_free(void *ptr);

static int64_t qopt_dtype_bytes(int32_t dtype) {
  switch (dtype) {
  case QOPT_DTYPE_I8:
  case QOPT_DTYPE_U8:
    return 1;
  case QOPT_DTYPE_F32:
  case QOPT_DTYPE_I32:
    return 4;
  default:
    return 8;
  }
}

/* The size in bytes of `t` at `batch`, or -1 when the batch does not fit
 * its static batch dimension or the size overflows. */
static int64_t qopt_tensor_bytes(const qopt_tensor_info *t, int64_t batch) {
  if (t->rank > 0 && t->shape[0] >= 0 && t->shape[0] != batch)
    return -1;
  int64_t bytes = qopt_dtype_bytes(t->dtype);
  for (int32_t d = 0; d < t->rank; ++d) {
    int64_t size = t->shape[d] < 0 ? batch : t->shape[d];
    if (__builtin_mul_overflow(bytes, size, &bytes))
      return -1;
  }
  return bytes > PTRDIFF_MAX ? -1 : bytes;
}

/* The 8-byte words of `t`'s memref descriptor. */
static int64_t qopt_descriptor_words(const qopt_tensor_info *t) {
  return 3 + 2 * (int64_t)t->rank;
}

static void qopt_fill_descriptor(int64_t *words, const qopt_tensor_info *t,
                                 int64_t batch, const void *data) {
  words[0] = words[1] = (int64_t)(intptr_t)data;
  words[2] = 0;
  int64_t stride = 1;
  for (int32_t d = t->rank; d-- > 0;) {
    words[3 + d] = t->shape[d] < 0 ? batch : t->shape[d];
    words[3 + t->rank + d] = stride;
    stride *= words[3 + d];
  }
}

int qopt_model_run(const qopt_model_info *info, void (*call)(void **),
                   int64_t batch, const void *const *inputs,
                   void *const *outputs) {
  int32_t num_inputs = info->num_inputs, num_outputs = info->num_outputs;
  if (batch < 1)
    return QOPT_ERROR_BATCH;
  if ((num_inputs > 0 && !inputs) || (num_outputs > 0 && !outputs))
    return QOPT_ERROR_ARGUMENT;
  int64_t words = 0;
  for (int32_t i = 0; i < num_inputs; ++i) {
    if (qopt_tensor_bytes(&info->inputs[i], batch) < 0)
      return QOPT_ERROR_BATCH;
    if (!inputs[i])
      return QOPT_ERROR_ARGUMENT;
    words += qopt_descriptor_words(&info->inputs[i]);
  }
  for (int32_t i = 0; i < num_outputs; ++i) {
    if (qopt_tensor_bytes(&info->outputs[i], batch) < 0)
      return QOPT_ERROR_BATCH;
    if (!outputs[i])
      return QOPT_ERROR_ARGUMENT;
    words += qopt_descriptor_words(&info->outputs[i]);
  }

  int64_t descriptors[words > 0 ? words : 1];
  void *args[1 + num_inputs];
  int64_t *next = descriptors;
  int32_t arg = 0;
  int64_t *results = next;
  if (num_outputs > 0) {
    for (int32_t i = 0; i < num_outputs; ++i)
      next += qopt_descriptor_words(&info->outputs[i]);
    args[arg++] = results;
  }
  for (int32_t i = 0; i < num_inputs; ++i) {
    qopt_fill_descriptor(next, &info->inputs[i], batch, inputs[i]);
    args[arg++] = next;
    next += qopt_descriptor_words(&info->inputs[i]);
  }
  call(args);

  int64_t *result = results;
  for (int32_t i = 0; i < num_outputs; ++i) {
    const qopt_tensor_info *t = &info->outputs[i];
    int64_t bytes = qopt_tensor_bytes(t, batch);
    const char *aligned = (const char *)(intptr_t)result[1];
    memcpy(outputs[i], aligned + result[2] * qopt_dtype_bytes(t->dtype),
           (size_t)bytes);
    result += qopt_descriptor_words(t);
  }
  result = results;
  for (int32_t i = 0; i < num_outputs; ++i) {
    void *allocated = (void *)(intptr_t)result[0];
    int keep = allocated == (void *)(uintptr_t)0xdeadbeef;
    for (int32_t j = 0; j < num_inputs && !keep; ++j)
      keep = allocated == inputs[j];
    const int64_t *earlier = results;
    for (int32_t j = 0; j < i && !keep; ++j) {
      keep = (void *)(intptr_t)earlier[0] == allocated;
      earlier += qopt_descriptor_words(&info->outputs[j]);
    }
    if (!keep)
      _mlir_memref_to_llvm_free(allocated);
    result += qopt_descriptor_words(&info->outputs[i]);
  }
  return QOPT_OK;
}
