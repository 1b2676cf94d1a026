# Sourced by bin/fra-fer, bin/test and .ci/run: allocator and thread settings for the PyTorch engine.
for lib in /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 /usr/lib/libtcmalloc_minimal.so.4; do
  if [ -f "$lib" ]; then
    case ":${LD_PRELOAD:-}:" in *":$lib:"*) ;; *) export LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}";; esac
    FRAFER_TCMALLOC=1
    break
  fi
done
if [ -z "${FRAFER_TCMALLOC:-}" ]; then
  # No tcmalloc: keep glibc from trimming and re-faulting big tensors on every batch.
  export MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=1073741824 MALLOC_TRIM_THRESHOLD_=4294967296 MALLOC_TOP_PAD_=268435456
fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
