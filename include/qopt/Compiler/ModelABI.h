/*===- ModelABI.h - The C interface of a model compiled by qcc --*- C -*-===*\
|*                                                                          *|
|* The types every qcc-compiled model's entry points use. qcc copies this   *|
|* file into each header it writes, so a program that includes the headers *|
|* of several models sees it once; the models' entry points are            *|
|*                                                                          *|
|*   int PREFIX_run(int64_t batch, const T *input0, ..., T *output0, ...);  *|
|*   int PREFIX_run_arrays(int64_t batch, const void *const *inputs,        *|
|*                         void *const *outputs);                           *|
|*   const qopt_model_info *PREFIX_info(void);                              *|
|*                                                                          *|
|* Buffers are dense and row-major; quantized tensors are passed as their  *|
|* 8-bit storage. Plain C: no includes beyond <stdint.h>.                   *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#ifndef QOPT_MODEL_ABI_H
#define QOPT_MODEL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this interface; qopt_model_info.abi_version. */
#define QOPT_MODEL_ABI_VERSION 1

/* What PREFIX_run and PREFIX_run_arrays return. */
enum qopt_status {
  QOPT_OK = 0,
  /* The batch is below 1, differs from a static batch dimension, or makes
   * a buffer too large to address. */
  QOPT_ERROR_BATCH = -1,
  /* A null buffer pointer, or a null array of them. */
  QOPT_ERROR_ARGUMENT = -2
};

/* Element types of inputs and outputs. */
enum qopt_dtype {
  QOPT_DTYPE_F32 = 1,
  QOPT_DTYPE_F64 = 2,
  QOPT_DTYPE_I8 = 3,
  QOPT_DTYPE_U8 = 4,
  QOPT_DTYPE_I32 = 5,
  QOPT_DTYPE_I64 = 6
};

/* One input or output: its element type and shape. A dimension of -1 is
 * the batch (only dimension 0 may be dynamic). */
typedef struct qopt_tensor_info {
  int32_t dtype; /* enum qopt_dtype */
  int32_t rank;
  const int64_t *shape; /* rank entries */
} qopt_tensor_info;

/* What PREFIX_info returns: static data, valid for the program's life. */
typedef struct qopt_model_info {
  int32_t abi_version; /* QOPT_MODEL_ABI_VERSION */
  int32_t num_inputs;
  int32_t num_outputs;
  const qopt_tensor_info *inputs;  /* num_inputs entries */
  const qopt_tensor_info *outputs; /* num_outputs entries */
  const char *function;            /* the model function's name */
} qopt_model_info;

#ifdef __cplusplus
}
#endif

#endif /* QOPT_MODEL_ABI_H */
