r"""NumPy's PCG64 uniforms computed inside numba kernels: the same doubles as ``Generator.random()``.

A Monte Carlo kernel that calls numba's ``Generator.random()`` once per draw pays a function call per
number; one that receives blocks of uniforms from NumPy pays a round trip through memory.  For NumPy's
default bit generator, PCG64, the kernel can compute the numbers itself (the Glauber kernels of
Chapter 4 and the FEP step of Chapter 15 do; the appendix *Performance of the kernels* times them):

* the state is a 128-bit integer :math:`x`, stepped by :math:`x \leftarrow a x + c \bmod 2^{128}` with
  NumPy's multiplier :math:`a` and the generator's odd increment :math:`c`;
* the 64-bit output of a new state is XSL-RR: its two halves XORed, :math:`x_{hi} \oplus x_{lo}`, rotated
  right by the top six bits of :math:`x_{hi}`;
* a double is the top 53 bits of the output times :math:`2^{-53}` (NumPy's ``next_double``).

The product of two 128-bit numbers modulo :math:`2^{128}` needs three 64-bit multiplications: the full
128-bit product of the low halves (one ``mul`` instruction, :func:`_umul128`) and the low halves of the two
cross products.  :math:`k` steps compose to one affine map :math:`x \mapsto A x + C`, with
:math:`A = a^k` and :math:`C = c(a^{k-1} + \dots + a + 1)`, so draws taken in turn can come from :math:`k`
chains that run side by side (:func:`pcg_lanes`, :math:`k = 2`).  The generator's state is read before a
kernel and written back after (:func:`pcg_state`, :func:`pcg_store`, :func:`pcg_after`), in one assignment,
keeping its buffered 32-bit half-word, which drawing doubles does not touch.  Only a plain ``Generator``
over exactly ``PCG64`` takes this path (a subclass could draw differently); the unit tests compare every
number with ``Generator.random()``.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__: list[str] = []

#: NumPy's PCG64 multiplier a (128 bits), and its two 64-bit halves.
PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
_PCG_MUL_HI = np.uint64(PCG_MULT >> 64)
_PCG_MUL_LO = np.uint64(PCG_MULT & (2**64 - 1))
_MASK64 = 2**64 - 1
_MASK128 = 2**128 - 1
_U0 = np.uint64(0)

#: Fewest uniforms a call draws in its kernel: for fewer, NumPy's block draw costs less than reading and
#: writing the Generator's state (a few microseconds a call), and gives the same doubles.
PCG_MIN_DRAWS = 4096


@intrinsic
def _umul128(typingctx, a, b):
    """The 128-bit product of two uint64 as (low, high) 64-bit halves (one ``mul`` instruction)."""
    def codegen(context, builder, signature, args):
        i64, i128 = ir.IntType(64), ir.IntType(128)
        prod = builder.mul(builder.zext(args[0], i128), builder.zext(args[1], i128))
        low = builder.trunc(prod, i64)
        high = builder.trunc(builder.lshr(prod, ir.Constant(i128, 64)), i64)
        return context.make_tuple(builder, signature.return_type, [low, high])

    return types.UniTuple(types.uint64, 2)(types.uint64, types.uint64), codegen


@njit(cache=True, inline="always")
def _pcg_affine(hi, lo, ahi, alo, chi, clo):
    """(hi, lo) <- A (hi, lo) + C mod 2**128, the 128-bit numbers given as 64-bit halves."""
    plo, phi = _umul128(lo, alo)
    nlo = plo + clo
    carry = np.uint64(1) if nlo < clo else np.uint64(0)
    return phi + lo * ahi + hi * alo + chi + carry, nlo


@njit(cache=True, inline="always")
def _pcg_double(hi, lo):
    """The double ``Generator.random`` makes of the state (hi, lo): XSL-RR output, top 53 bits times 2**-53."""
    x = hi ^ lo
    r = hi >> np.uint64(58)
    x = (x >> r) | (x << ((np.uint64(64) - r) & np.uint64(63)))
    return np.float64(x >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, inline="always")
def _pcg_next(hi, lo, ihi, ilo):
    """One step of PCG64 from the state (hi, lo) with increment (ihi, ilo): the new state and its double."""
    hi, lo = _pcg_affine(hi, lo, _PCG_MUL_HI, _PCG_MUL_LO, ihi, ilo)
    return hi, lo, _pcg_double(hi, lo)


@njit(cache=True)
def pcg_uniforms(pcg, u, k0, count):
    """u[k0 .. k0 + count - 1] <- the next ``count`` doubles of the PCG64 stream whose 128-bit state and
    increment are ``pcg = [state_hi, state_lo, inc_hi, inc_lo]`` (uint64; advanced in place)."""
    hi, lo, ihi, ilo = pcg[0], pcg[1], pcg[2], pcg[3]
    for k in range(k0, k0 + count):
        hi, lo, u[k] = _pcg_next(hi, lo, ihi, ilo)
    pcg[0], pcg[1] = hi, lo


def pcg_state(gen, draws):
    """``([state_hi, state_lo, inc_hi, inc_lo] as uint64, state dict)`` of a ``numpy.random.Generator`` (not a
    subclass, whose ``random`` could differ) over exactly NumPy's PCG64 (the default of ``default_rng``), if at
    least :data:`PCG_MIN_DRAWS` ``draws`` are to come from it; else None."""
    bitgen = gen.bit_generator
    if type(gen) is not np.random.Generator or type(bitgen) is not np.random.PCG64 or draws < PCG_MIN_DRAWS:
        return None
    st = bitgen.state
    x, inc = st["state"]["state"], st["state"]["inc"]
    return np.array([x >> 64, x & _MASK64, inc >> 64, inc & _MASK64], dtype=np.uint64), st


def pcg_store(gen, pcg, st):
    """Put the state advanced in ``pcg`` back into the Generator, through the dict ``st`` that
    :func:`pcg_state` read (its increment and buffered 32-bit word stay: ``random`` does not use the buffer)."""
    st["state"]["state"] = (int(pcg[0]) << 64) | int(pcg[1])
    gen.bit_generator.state = st


def pcg_after(pcg, draws):
    """The ``[state_hi, state_lo, inc_hi, inc_lo]`` words of ``pcg`` advanced by ``draws`` steps (a new array;
    :math:`O(\\log` draws) multiplications by squaring the affine map)."""
    x, inc = (int(pcg[0]) << 64) | int(pcg[1]), (int(pcg[2]) << 64) | int(pcg[3])
    A, C = PCG_MULT, inc          # the map of 2**j steps, j = 0, 1, ...
    while draws:
        if draws & 1:
            x = (A * x + C) & _MASK128
        A, C = (A * A) & _MASK128, (A * C + C) & _MASK128
        draws >>= 1
    return np.array([x >> 64, x & _MASK64, pcg[2], pcg[3]], dtype=np.uint64)


def pcg_lanes(pcg):
    """Words of two interleaved chains of the stream ``pcg = [state_hi, state_lo, inc_hi, inc_lo]``: chain a
    at the state of the first draw, chain b at the second, each stepping by two draws, x -> A x + C with
    A = a**2, C = (a + 1) c.  Returns uint64 ``[a_hi, a_lo, b_hi, b_lo, A_hi, A_lo, C_hi, C_lo]``."""
    x, inc = (int(pcg[0]) << 64) | int(pcg[1]), (int(pcg[2]) << 64) | int(pcg[3])
    s1 = (PCG_MULT * x + inc) & _MASK128
    s2 = (PCG_MULT * s1 + inc) & _MASK128
    A = (PCG_MULT * PCG_MULT) & _MASK128
    C = ((PCG_MULT + 1) * inc) & _MASK128
    return np.array([s1 >> 64, s1 & _MASK64, s2 >> 64, s2 & _MASK64, A >> 64, A & _MASK64, C >> 64, C & _MASK64],
                    dtype=np.uint64)
