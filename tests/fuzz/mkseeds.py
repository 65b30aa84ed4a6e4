#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the hand-made seed inputs of tests/fuzz/corpus/<target>/.

Each seed is a scenario encoded the way engine.c decodes its input: two
engine bytes (table-memory budget, options), the target's configuration
bytes, then operations. Run from the top of the tree:

    python3 tests/fuzz/mkseeds.py tests/fuzz/corpus
"""
import os
import random
import struct
import sys

# Operation kinds (engine.c, enum op_kind).
MAP, UNMAP, PROTECT, SPLIT, TRANSLATE, ACCESS, HARVEST, ACCESSED, FAIL, \
    DEFER, MISC, FOREIGN = range(12)

GRANULE, L1, L2, G16 = 0, 1, 2, 3  # unit_of() selectors
LOW, HIGH, TOP = 0, 2, 3           # address regions


def addr(unit, k, region=LOW, plus_page=False):
    b = unit | ((3 if plus_page else 0) << 2) | (region << 5)
    return bytes([b]) + struct.pack('<H', k)


def size(unit, k):
    """k units (1..4)."""
    return bytes([unit, (k - 1) % 4])


def hpa_aligned(unit, k):
    """gpa + k * unit: keeps the alignment, so large leaves fit."""
    return bytes([0 | (unit << 3)]) + struct.pack('<H', k)


def hpa_any(page):
    """any page: small leaves only."""
    return bytes([4]) + struct.pack('<I', page)


def hpa_same():
    """where the model already maps gpa (identical remap)."""
    return bytes([5])


def attrs(perms=0xf, mt=0, force=0, share=0, sw=0):
    return bytes([perms & 0xf, mt, force | (share << 1), sw])


def op_map(a, s, h, at=attrs(), replace=False, cap_sel=0):
    return bytes([MAP]) + a + s + h + bytes([int(replace) | (cap_sel << 1)]) + at


def op_unmap(a, s):
    return bytes([UNMAP]) + a + s


def op_protect(a, s, clear=0, set_=0, memtype=None, share=0):
    b2 = 0 if memtype is None else 1 | (memtype << 1)
    return bytes([PROTECT]) + a + s + bytes([clear | (set_ << 4), 0, b2, share | 4])


def op_split(a, s, leaf_index=0):
    return bytes([SPLIT]) + a + s + bytes([leaf_index])


def op_collapse(a, s):
    """a split whose size byte has bits 7:5 set is slat_collapse()."""
    return bytes([SPLIT]) + a + s + bytes([0xe0])


def op_exec_fault(a):
    """on an EPT table with SLAT_FEAT_NX_HUGE: access byte bits 2:1 set."""
    return bytes([ACCESS, 0]) + a + bytes([6])


def op_translate(a):
    return bytes([TRANSLATE, 0]) + a


def op_access(a, write=True):
    return bytes([ACCESS, 0]) + a + bytes([int(write)])


def op_harvest(a, s, keep=False):
    return bytes([HARVEST]) + a + s + bytes([int(keep) | 0x10])


def op_accessed(a, s, keep=False):
    return bytes([ACCESSED]) + a + s + bytes([int(keep)])


def op_fail(n):
    return bytes([FAIL, n & 7])


def op_race(a, k=0, write=True, at_point=False):
    """a guest access at a racing with the next call: at its k-th table
    lookup, or at_point: its k-th race point (lib/core.h)."""
    return bytes([FAIL, 0x30 | int(write) | (2 if at_point else 0), k]) + a


def op_defer(n):
    return bytes([DEFER, (n - 1) % 4])


def op_misc(sel):
    return bytes([MISC, sel]) + addr(L1, 0) + size(L2, 2)


# Configurations: full-featured ones, so that every operation does something.
CONFIGS = {
    # b0: AD cap+feature, MBEC cap+feature, 4 levels, exec-only, 1G, 2M;
    # b1: ia 48; b2: MAXPHYADDR 46; b3: single+all INVEPT, 2 sw bits
    'ept': bytes([0x0f | 0x20, 16, 10, 0x08]),
    # b0: FlushByAsid, GMET+feature, AD, 4 levels, Page1GB, Linux PAT;
    # b1: ia 48; b2: 46 bits; b3: 2 sw bits
    'npt': bytes([0x01 | 0x02 | 0x04 | 0x08 | 0x40, 16, 10, 0x02]),
    # 4K granule, HAFDBS 2, XNX, FWB off, TTL; range TLBI, VMID16,
    # AD+XNX features; PARange 48; ia 40; threshold default, 2 sw bits
    'stage2': bytes([0x42, 0x01 | 0x02 | 0x04 | 0x10 | 0x20 | 0x40, 5, 8, 0x10]),
}
# Other granules and knobs for Stage-2.
EXTRA = {
    'stage2': [
        # b0 % 3 selects the granule (0: 4K, 1: 16K, 2: 64K); 0x40: HAFDBS 2
        ('16k', bytes([0x40, 0x01 | 0x04 | 0x10 | 0x20, 5, 16, 0x10])),
        ('64k', bytes([0x41, 0x01 | 0x10 | 0x20 | 0x80 | 0x08, 5, 14, 0x03])),
        ('fwb-threshold1', bytes([0x42, 0x08 | 0x80 | 0x10 | 0x20, 4, 3, 0x01])),
        # 64K on a CPU with 52-bit PAs (PARange 6, FEAT_LPA): ia 52,
        # OA[51:48] in descriptor bits 15:12, 4 TiB level-1 blocks
        ('64k-lpa', bytes([0x41, 0x01 | 0x02 | 0x04 | 0x10 | 0x20 | 0x40, 6, 20, 0x10])),
    ],
    'ept': [('5level-no-ad', bytes([0x10 | 0x20, 0x40 | 20, 14, 0x02]))],
    'npt': [('la57-reset-pat', bytes([0x01 | 0x08 | 0x10, 0x40 | 8, 16, 0x00]))],
}
# Seeds for one configuration only.
# EPT with the iTLB-multihit policy: AD, no MBEC, execute-only, 1G, 2M;
# b2 bit 7 turns SLAT_FEAT_NX_HUGE on (MAXPHYADDR 36 + 138 % 17 = 38).
NX_EPT = bytes([0x03 | 0x20, 16, 10 | 0x80, 0x08])

ENGINE_DEFAULT = bytes([3, 1])   # 1 MiB of tables, a second table
ENGINE_WALK_NC = bytes([3, 3])   # and SLAT_FEAT_WALK_NC (option bit 1)
ENGINE_BIG = bytes([0, 1])       # 4 MiB of tables
ENGINE_TINY = bytes([1, 0])      # 64 KiB of tables
LINEAR = 8                       # option bit 3: SLAT_FEAT_LINEAR_MAP


def linear(eng):
    """The same engine bytes with tables reached by the linear offset."""
    return bytes([eng[0], eng[1] | LINEAR])


def scenarios():
    s = {}
    # Large pages, then an edge split, a write-protect, a split, a harvest.
    s['lifecycle'] = (ENGINE_DEFAULT, [
        op_map(addr(L2, 0), size(L2, 2), hpa_aligned(L2, 3)),
        op_unmap(addr(L1, 3, plus_page=True), size(GRANULE, 1)),
        op_protect(addr(L1, 1), size(L1, 2), clear=2),
        op_split(addr(L1, 8), size(L1, 1), 0),
        op_access(addr(L1, 9)), op_access(addr(GRANULE, 5)),
        op_harvest(addr(L2, 0), size(L1, 4)),
        op_accessed(addr(L2, 0), size(L1, 4)),
        op_translate(addr(L1, 3)), op_misc(0), op_misc(1), op_misc(3),
        op_unmap(addr(L2, 0), size(L2, 2)),
    ])
    # Allocation failures at every point of a split.
    ops = [op_map(addr(L2, 1), size(L2, 1), hpa_aligned(L2, 1))]
    for n in range(4):
        ops += [op_fail(n), op_unmap(addr(L1, 512 + 7 * n, plus_page=True), size(GRANULE, 1))]
        ops += [op_fail(n), op_protect(addr(L1, 520 + n), size(GRANULE, 2), clear=8)]
    s['alloc-fail'] = (ENGINE_DEFAULT, ops)
    # Small pages, merged back into a large one by a replacing map.
    s['merge'] = (ENGINE_DEFAULT, [
        op_map(addr(L1, 4), size(L1, 2), hpa_aligned(L1, 4), cap_sel=1),
        op_access(addr(L1, 4), True),
        op_map(addr(L1, 4), size(L1, 2), hpa_aligned(L1, 4), replace=True),
        op_map(addr(L1, 4), size(L1, 1), hpa_same(), replace=True),
        op_protect(addr(L1, 4), size(L1, 1), memtype=4),
        op_map(addr(L1, 5), size(GRANULE, 3), hpa_any(0x1234), replace=True),
    ])
    # The last large pages of the input space.
    s['top'] = (ENGINE_DEFAULT, [
        op_map(addr(L2, 0, TOP), size(L2, 1), hpa_aligned(L2, 0)),
        op_map(addr(L1, 1, TOP), size(L1, 1), hpa_aligned(L1, 1), replace=True),
        op_unmap(addr(GRANULE, 1, TOP), size(GRANULE, 1)),
        op_split(addr(L2, 0, TOP), size(L2, 1), 1),
        op_translate(addr(GRANULE, 2, TOP)),
        op_unmap(addr(L2, 0, HIGH), size(L2, 4)),
    ])
    # One gather collecting many changes: more ranges than it keeps.
    ops = [op_map(addr(L2, 2), size(L2, 1), hpa_aligned(L2, 2), cap_sel=2), op_defer(4)]
    for i in range(10):
        ops.append(op_unmap(addr(L1, 1024 + 3 * i), size(GRANULE, 1)))
    ops.append(op_defer(4))
    for i in range(10):
        ops.append(op_protect(addr(L1, 1060 + 2 * i), size(GRANULE, 1), clear=2, set_=0))
    s['gather-merge'] = (ENGINE_DEFAULT, ops)
    # A whole 1 GiB leaf split into base pages (needs the 4 MiB budget).
    s['big-split'] = (ENGINE_BIG, [
        op_map(addr(L2, 3), size(L2, 1), hpa_aligned(L2, 3)),
        op_split(addr(L2, 3), size(L2, 1), 0),
        op_harvest(addr(L2, 3), size(L1, 2)),
        op_unmap(addr(L2, 3), size(L2, 1)),
    ])
    # Guest accesses racing with splits, protects and harvests.
    s['race'] = (ENGINE_DEFAULT, [
        op_map(addr(L2, 1), size(L2, 1), hpa_aligned(L2, 1)),
        op_race(addr(L1, 515), 1), op_unmap(addr(L1, 514, plus_page=True), size(GRANULE, 1)),
        op_race(addr(L1, 516), 2), op_protect(addr(L1, 516), size(GRANULE, 4), clear=2),
        op_race(addr(L1, 517), 0), op_harvest(addr(L2, 1), size(L1, 4)),
        op_race(addr(L1, 518), 3, False), op_accessed(addr(L1, 518), size(L1, 1)),
        op_race(addr(L1, 519), 2), op_map(addr(L1, 519), size(GRANULE, 2), hpa_any(77), replace=True),
    ])
    # Guest writes at the race point, the last moment before libslat
    # replaces a live leaf it has read, on clean leaves: a protect that
    # changes the memory type (break-before-make on Arm) or the
    # permissions, a split, an edge split of an unmap.
    s['race-point'] = (ENGINE_DEFAULT, [
        op_map(addr(L1, 4), size(L1, 2), hpa_aligned(L1, 4)),
        op_map(addr(GRANULE, 8), size(GRANULE, 4), hpa_any(99)),
        op_harvest(addr(GRANULE, 8), size(GRANULE, 4)),
        op_accessed(addr(GRANULE, 8), size(GRANULE, 4)),
        op_race(addr(GRANULE, 9), 0, True, True),
        op_protect(addr(GRANULE, 9), size(GRANULE, 1), memtype=1),
        op_race(addr(GRANULE, 10), 0, True, True),
        op_protect(addr(GRANULE, 10), size(GRANULE, 1), clear=0xc),
        op_harvest(addr(GRANULE, 8), size(GRANULE, 4)),
        op_harvest(addr(L1, 4), size(L1, 2)),
        op_accessed(addr(L1, 4), size(L1, 2)),
        op_race(addr(L1, 4), 0, True, True),
        op_split(addr(L1, 4), size(L1, 1), 0),
        op_race(addr(L1, 5), 0, True, True),
        op_unmap(addr(L1, 5, plus_page=True), size(GRANULE, 1)),
        op_harvest(addr(L1, 4), size(L1, 2)),
    ])
    # Write, write-protect, harvest: dirty once on every format (on Arm the
    # protect takes away the write permission that held the dirty state,
    # and libslat keeps a software copy). Then writable again and written;
    # a dirty large leaf protected with a new memory type and split; and a
    # write at the race point of a protect that removes write.
    s['dirty-protect'] = (ENGINE_DEFAULT, [
        op_map(addr(GRANULE, 8), size(GRANULE, 4), hpa_any(55)),
        op_map(addr(L1, 6), size(L1, 1), hpa_aligned(L1, 6)),
        op_access(addr(GRANULE, 9)), op_access(addr(GRANULE, 10), False),
        op_protect(addr(GRANULE, 8), size(GRANULE, 4), clear=2),
        op_translate(addr(GRANULE, 9)),
        op_harvest(addr(GRANULE, 8), size(GRANULE, 4), keep=True),
        op_harvest(addr(GRANULE, 8), size(GRANULE, 4)),
        op_harvest(addr(GRANULE, 8), size(GRANULE, 4)),
        op_protect(addr(GRANULE, 8), size(GRANULE, 4), set_=2),
        op_access(addr(GRANULE, 11)),
        op_protect(addr(GRANULE, 11), size(GRANULE, 1), clear=2),
        op_protect(addr(GRANULE, 11), size(GRANULE, 1), set_=2),
        op_harvest(addr(GRANULE, 8), size(GRANULE, 4)),
        op_access(addr(L1, 6)),
        op_protect(addr(L1, 6), size(L1, 1), clear=2, memtype=1),
        op_split(addr(L1, 6), size(L1, 1), 0),
        op_harvest(addr(L1, 6), size(L1, 1)),
        op_protect(addr(GRANULE, 8), size(GRANULE, 4), set_=2),
        op_race(addr(GRANULE, 12), 0, True, True),
        op_protect(addr(GRANULE, 12), size(GRANULE, 1), clear=2),
        op_harvest(addr(GRANULE, 8), size(GRANULE, 4)),
    ])
    # Exhausting a tiny budget.
    s['tiny-pool'] = (ENGINE_TINY, [
        op_map(addr(L1, 0), size(L1, 4), hpa_any(7)),
        op_map(addr(GRANULE, 0), size(GRANULE, 4), hpa_any(9)),
        op_unmap(addr(GRANULE, 1), size(GRANULE, 1)),
    ])
    # Pages made equal again and collapsed (also two levels at once), with
    # a guest write at the race point of the collapse.
    s['collapse'] = (ENGINE_DEFAULT, [
        op_map(addr(L1, 0), size(L1, 2), hpa_aligned(L1, 3), cap_sel=1),
        op_access(addr(GRANULE, 5)), op_access(addr(GRANULE, 9), False),
        op_protect(addr(GRANULE, 7), size(GRANULE, 1), clear=2),
        op_collapse(addr(L1, 0), size(L1, 2)),
        op_protect(addr(GRANULE, 7), size(GRANULE, 1), set_=2),
        op_race(addr(GRANULE, 600), 0, True, True),
        op_collapse(addr(L1, 0), size(L1, 2)),
        op_translate(addr(GRANULE, 5)),
        op_harvest(addr(L1, 0), size(L1, 2)),
        op_map(addr(L2, 1), size(L2, 1), hpa_aligned(L2, 2), cap_sel=2),
        op_split(addr(L1, 520), size(L1, 1), 0),
        op_collapse(addr(L2, 1), size(L2, 1)),
        op_translate(addr(L1, 520)),
    ])
    return s


def one_page_scenario():
    """The calls of a fault handler, one base page each: on a 4-level table
    with 4 KiB pages and a linear map they take lib/walk.h walk_path4().
    Maps that need a chain of tables failing at each allocation, pages
    into a table that exists, protects that miss and hit the memo and one
    of a page protected already, a race at the exchange, a split of a
    large leaf on the path (failing, raced), unmaps that empty tables up
    the path, and unmaps the path hands to the range walk."""
    ops = []
    for n in range(3):
        ops += [op_fail(n), op_map(addr(GRANULE, 3, HIGH), size(GRANULE, 1), hpa_any(11))]
    ops += [
        op_map(addr(GRANULE, 3, HIGH), size(GRANULE, 1), hpa_any(11)),
        op_map(addr(GRANULE, 4, HIGH), size(GRANULE, 1), hpa_any(12)),
        op_map(addr(GRANULE, 4, HIGH), size(GRANULE, 1), hpa_any(13)),
        op_map(addr(GRANULE, 6, HIGH), size(GRANULE, 1), hpa_any(14), at=attrs(perms=5)),
        op_map(addr(GRANULE, 5, HIGH), size(GRANULE, 1), hpa_any(15)),
        op_defer(3),
        op_protect(addr(GRANULE, 3, HIGH), size(GRANULE, 1), clear=2),
        op_protect(addr(GRANULE, 4, HIGH), size(GRANULE, 1), clear=2),
        op_protect(addr(GRANULE, 3, HIGH), size(GRANULE, 1), clear=2),
        op_access(addr(GRANULE, 5, HIGH)),
        op_race(addr(GRANULE, 5, HIGH), 0, True, True),
        op_protect(addr(GRANULE, 5, HIGH), size(GRANULE, 1), clear=2),
        op_protect(addr(GRANULE, 4, HIGH), size(GRANULE, 1), set_=2),
        op_protect(addr(GRANULE, 6, HIGH), size(GRANULE, 1), clear=4, memtype=1),
        op_translate(addr(GRANULE, 4, HIGH)),
        op_map(addr(L1, 2), size(L1, 1), hpa_aligned(L1, 2)),
        op_fail(0), op_protect(addr(L1, 2, plus_page=True), size(GRANULE, 1), clear=2),
        op_race(addr(L1, 2), 0, True, True),
        op_protect(addr(L1, 2, plus_page=True), size(GRANULE, 1), clear=2),
        op_protect(addr(L1, 2), size(GRANULE, 1), clear=2),
        op_unmap(addr(L1, 2), size(GRANULE, 1)),
        op_harvest(addr(L1, 2), size(L1, 1)),
        op_unmap(addr(GRANULE, 4, HIGH), size(GRANULE, 1)),
        op_unmap(addr(GRANULE, 4, HIGH), size(GRANULE, 1)),
        op_unmap(addr(GRANULE, 3, HIGH), size(GRANULE, 1)),
        op_defer(1),
        op_unmap(addr(GRANULE, 5, HIGH), size(GRANULE, 1)),
        op_unmap(addr(GRANULE, 6, HIGH), size(GRANULE, 1)),
        op_map(addr(GRANULE, 6, HIGH), size(GRANULE, 1), hpa_any(16)),
        op_map(addr(L2, 1), size(L2, 1), hpa_aligned(L2, 1)),
        op_unmap(addr(L2, 1, plus_page=True), size(GRANULE, 1)),
        op_protect(addr(L2, 1), size(GRANULE, 1), clear=2),
    ]
    return (linear(ENGINE_DEFAULT), ops)


def nx_scenario():
    """EPT, SLAT_FEAT_NX_HUGE: large leaves without X, the fetch splits."""
    return (ENGINE_DEFAULT, [
        op_map(addr(L2, 0), size(L2, 1), hpa_aligned(L2, 1)),
        op_map(addr(L1, 600), size(L1, 1), hpa_aligned(L1, 601), at=attrs(perms=0xc)),
        op_exec_fault(addr(GRANULE, 0x2345)),
        op_exec_fault(addr(GRANULE, 0x2345)),
        op_translate(addr(GRANULE, 0x2345)),
        op_collapse(addr(L2, 0), size(L2, 1)),
        op_protect(addr(L1, 3), size(L1, 1), clear=0xc),
        op_exec_fault(addr(L1, 3)),
        op_protect(addr(L1, 4), size(L1, 1), clear=3),
        op_collapse(addr(L1, 600), size(L1, 1)),
        op_exec_fault(addr(L1, 600)),
    ])


# SLAT_FEAT_WALK_NC needs A/D off: EPT with MBEC+split execute, exec-only,
# 1G, 2M (UC walks always offered); Stage-2 as CONFIGS without the AD feature.
WALK_NC_CONFIGS = {
    'ept': bytes([0x0c | 0x20, 16, 10, 0x08]),
    'stage2': bytes([0x42, 0x01 | 0x02 | 0x04 | 0x10 | 0x40, 5, 8, 0x10]),
}


def walk_nc_scenario():
    """A walker that does not snoop: fresh tables, runs of leaves, a split,
    protects (a memory-type change is break-before-make on Arm), unmaps, a
    collapse and a replacing map, each checked against the cleaned shadow."""
    return (ENGINE_WALK_NC, [
        op_map(addr(L2, 0), size(L2, 1), hpa_aligned(L2, 1)),
        op_map(addr(GRANULE, 8, HIGH), size(GRANULE, 4), hpa_any(55)),
        op_map(addr(GRANULE, 16, HIGH), size(GRANULE, 2), hpa_any(77)),
        op_split(addr(L1, 8), size(L1, 1), 0),
        op_protect(addr(L1, 9), size(L1, 1), memtype=1),
        op_protect(addr(GRANULE, 9, HIGH), size(GRANULE, 2), clear=2),
        op_unmap(addr(L1, 3, plus_page=True), size(GRANULE, 1)),
        op_defer(2),
        op_unmap(addr(L1, 12), size(L1, 2)),
        op_collapse(addr(L1, 8), size(L1, 1)),
        op_map(addr(L1, 5), size(GRANULE, 3), hpa_any(0x1234), replace=True),
        op_misc(0), op_misc(1),
        op_unmap(addr(L2, 0), size(L2, 1)),
    ])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else 'tests/fuzz/corpus'
    rnd = random.Random(20261122)
    for target, cfg in CONFIGS.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        variants = [('', cfg)] + EXTRA.get(target, [])
        for vname, vcfg in variants:
            for name, (eng, ops) in scenarios().items():
                fn = 'seed-' + name + ('-' + vname if vname else '')
                with open(os.path.join(d, fn), 'wb') as f:
                    f.write(eng + vcfg + b''.join(ops))
            # the one-page paths: every scenario again with a linear map
            for name, (eng, ops) in list(scenarios().items()) + [('one-page', one_page_scenario())]:
                fn = 'seed-' + name + '-linear' + ('-' + vname if vname else '')
                with open(os.path.join(d, fn), 'wb') as f:
                    f.write(linear(eng) + vcfg + b''.join(ops))
        if target == 'ept':
            eng, ops = nx_scenario()
            with open(os.path.join(d, 'seed-nx-huge'), 'wb') as f:
                f.write(eng + NX_EPT + b''.join(ops))
        if target in WALK_NC_CONFIGS:
            eng, ops = walk_nc_scenario()
            with open(os.path.join(d, 'seed-walk-nc'), 'wb') as f:
                f.write(eng + WALK_NC_CONFIGS[target] + b''.join(ops))
            # the one-page paths cleaning what they write
            _, ops = one_page_scenario()
            with open(os.path.join(d, 'seed-walk-nc-one-page-linear'), 'wb') as f:
                f.write(linear(ENGINE_WALK_NC) + WALK_NC_CONFIGS[target] + b''.join(ops))
        # and a few random inputs: every byte string is a valid input
        for i in range(6):
            with open(os.path.join(d, 'seed-random-%d' % i), 'wb') as f:
                f.write(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(256, 2048))))


if __name__ == '__main__':
    main()
