#!/bin/sh
# Builds the C host of the sparsegrad Wasm core:
#   build/sparsegrad.scalar.wasm --wasm2c--> build/c/sparsegrad_core.{c,h}
#   + interop/c/sg_host.c (the C ABI of interop/c/sparsegrad.h) + the wasm2c runtime
#   -> build/c/libsparsegrad.a, build/c/sg_demo (interop/c/demo.c), build/c/sg_decode (sg_decode.c)
# Needs: wasm2c (Debian: apt-get install wabt; runtime sources in /usr/share/wabt/wasm2c) and a C
# compiler. Environment: CC (default gcc), WASM2C (default wasm2c), WASM2C_RUNTIME (directory with
# wasm-rt-impl.c, default /usr/share/wabt/wasm2c), SG_WASM (the scalar module, default
# build/sparsegrad.scalar.wasm), SG_C_OUT (output directory, default build/c). Build the .wasm first:
#   node scripts/build.mjs --wasm-only
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
cc=${CC:-gcc}
w2c=${WASM2C:-wasm2c}
rt=${WASM2C_RUNTIME:-/usr/share/wabt/wasm2c}
wasm=${SG_WASM:-$root/build/sparsegrad.scalar.wasm}
out=${SG_C_OUT:-$root/build/c}
src="$root/interop/c"

fail() { echo "error: $*" >&2; exit 1; }
[ -f "$wasm" ] || fail "$wasm not found: run 'node scripts/build.mjs --wasm-only' first"
command -v "$w2c" >/dev/null 2>&1 || fail "wasm2c not found (Debian: apt-get install wabt)"
command -v "$cc" >/dev/null 2>&1 || fail "C compiler '$cc' not found"
[ -f "$rt/wasm-rt-impl.c" ] || fail "wasm2c runtime $rt/wasm-rt-impl.c not found (Debian: apt-get install wabt)"

mkdir -p "$out"
# -n fixes the generated symbol prefix (Z_sparsegrad_core...) whatever the input file is called.
"$w2c" "$wasm" -n sparsegrad_core -o "$out/sparsegrad_core.c"

# No -ffast-math: the kernels' f32 arithmetic must round exactly as in Wasm.
cflags="-std=gnu11 -O2 -fno-fast-math -ffp-contract=off"
inc="-I$rt -I$out -I$src"
"$cc" $cflags -w $inc -c "$out/sparsegrad_core.c" -o "$out/sparsegrad_core.o"
"$cc" $cflags -w $inc -c "$rt/wasm-rt-impl.c" -o "$out/wasm-rt-impl.o"
"$cc" $cflags -Wall -Wextra -Werror $inc -c "$src/sg_host.c" -o "$out/sg_host.o"
rm -f "$out/libsparsegrad.a"
ar rcs "$out/libsparsegrad.a" "$out/sg_host.o" "$out/sparsegrad_core.o" "$out/wasm-rt-impl.o"
for prog in demo:sg_demo sg_decode:sg_decode; do
  "$cc" $cflags -Wall -Wextra -Werror $inc "$src/${prog%%:*}.c" "$out/libsparsegrad.a" -lm -o "$out/${prog#*:}"
done
echo "built $out/libsparsegrad.a, $out/sg_demo and $out/sg_decode"
