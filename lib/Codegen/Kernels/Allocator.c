/*===- Allocator.c - Buffers of a compiled model, kept for reuse -*- C -*-===*\
|*                                                                          *|
|* A compiled model allocates every intermediate buffer through MLIR's      *|
|* generic allocation functions (finalize-memref-to-llvm with               *|
|* use-generic-functions), defined here on top of malloc and free. A        *|
|* buffer the model frees is kept instead of returned to libc, and handed  *|
|* out again for a later allocation of the same size class: a model        *|
|* allocates the same buffers on every call, and large malloc blocks come  *|
|* from fresh mmap'd pages whose zeroing on first touch cost a third of a  *|
|* resnet18 inference. At most QOPT_CACHE_BLOCKS blocks are kept.          *|
|*                                                                          *|
|* Every block handed out is a malloc block, so the caller of a model may  *|
|* free the results with free(). The tables are guarded by a spin lock on  *|
|* a C11-style atomic flag (no libc call); when another thread holds it,   *|
|* the allocation goes straight to malloc or free. Linked as internal      *|
|* symbols: each model has its own cache, which qopt_release_buffers       *|
|* empties.                                                                *|
|*                                                                          *|
\*===----------------------------------------------------------------------===*/

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

enum {
  /* Blocks kept for reuse, and blocks whose size is remembered. */
  QOPT_CACHE_BLOCKS = 64,
  QOPT_LIVE_BLOCKS = 256
};

typedef struct {
  void *ptr;
  size_t size;
} qopt_block_t;

static qopt_block_t qopt_cache[QOPT_CACHE_BLOCKS];
static qopt_block_t qopt_live[QOPT_LIVE_BLOCKS];
static int qopt_lock;

static int qopt_try_lock(void) {
  return !__atomic_test_and_set(&qopt_lock, __ATOMIC_ACQUIRE);
}

static void qopt_unlock(void) { __atomic_clear(&qopt_lock, __ATOMIC_RELEASE); }

static int qopt_next_live;

/* Records that `ptr` has `size` bytes; a stale entry for the same address
 * (a result the caller freed, its address reused by malloc) is replaced.
 * When the table is full an entry is overwritten, round robin: its block,
 * if still in use, is then returned to libc when freed instead of kept. */
static void qopt_remember(void *ptr, size_t size) {
  qopt_block_t *slot = 0;
  for (int i = 0; i < QOPT_LIVE_BLOCKS; ++i) {
    if (qopt_live[i].ptr == ptr) {
      slot = &qopt_live[i];
      break;
    }
    if (!qopt_live[i].ptr && !slot)
      slot = &qopt_live[i];
  }
  if (!slot) {
    slot = &qopt_live[qopt_next_live];
    qopt_next_live = (qopt_next_live + 1) % QOPT_LIVE_BLOCKS;
  }
  slot->ptr = ptr;
  slot->size = size;
}

void *_mlir_memref_to_llvm_alloc(size_t size) {
  if (!qopt_try_lock())
    return malloc(size);
  /* The smallest kept block that holds `size` without wasting more than
   * half of itself. */
  int best = -1;
  for (int i = 0; i < QOPT_CACHE_BLOCKS; ++i) {
    size_t have = qopt_cache[i].size;
    if (qopt_cache[i].ptr && have >= size && have / 2 <= size &&
        (best < 0 || have < qopt_cache[best].size))
      best = i;
  }
  void *ptr;
  if (best >= 0) {
    ptr = qopt_cache[best].ptr;
    size = qopt_cache[best].size;
    qopt_cache[best].ptr = 0;
  } else {
    ptr = malloc(size);
  }
  if (ptr)
    qopt_remember(ptr, size);
  qopt_unlock();
  return ptr;
}

void *_mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t size) {
  /* aligned_alloc wants a size that is a multiple of the alignment. */
  size_t rounded = (size + alignment - 1) / alignment * alignment;
  return aligned_alloc(alignment, rounded);
}

void _mlir_memref_to_llvm_free(void *ptr) {
  if (!ptr)
    return;
  if (!qopt_try_lock()) {
    free(ptr);
    return;
  }
  size_t size = 0;
  for (int i = 0; i < QOPT_LIVE_BLOCKS; ++i)
    if (qopt_live[i].ptr == ptr) {
      size = qopt_live[i].size;
      qopt_live[i].ptr = 0;
      break;
    }
  /* Keep it in an empty slot, or in place of a smaller block. */
  int slot = -1;
  if (size)
    for (int i = 0; i < QOPT_CACHE_BLOCKS; ++i) {
      if (!qopt_cache[i].ptr) {
        slot = i;
        break;
      }
      if (qopt_cache[i].size < size &&
          (slot < 0 || qopt_cache[i].size < qopt_cache[slot].size))
        slot = i;
    }
  void *evicted = ptr;
  if (slot >= 0) {
    evicted = qopt_cache[slot].ptr;
    qopt_cache[slot].ptr = ptr;
    qopt_cache[slot].size = size;
  }
  qopt_unlock();
  free(evicted);
}

/* Returns every kept block to libc. Runs when the program exits or the
 * library holding the model is unloaded, and is called by qrun's JIT
 * before it frees the model's code, so that nothing stays allocated after
 * the model is gone. A call that finds the tables locked by a running
 * model leaves them alone. */
__attribute__((destructor)) void qopt_release_buffers(void) {
  if (!qopt_try_lock())
    return;
  for (int i = 0; i < QOPT_CACHE_BLOCKS; ++i) {
    free(qopt_cache[i].ptr);
    qopt_cache[i].ptr = 0;
    qopt_cache[i].size = 0;
  }
  qopt_unlock();
}
