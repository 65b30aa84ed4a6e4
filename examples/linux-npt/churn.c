/*
 * churn.c - see churn.h.  All guest pages of the churned range are 4 KiB
 * "slots"; loc[] says where each one's contents live:
 *   0                  at home (HPA == GPA), mapped
 *   hpa                migrated to that pool page, mapped there
 *   hpa | LOC_SWAPPED  not mapped; the contents wait in that pool page
 * A vacated host page is filled with POISON before it goes back to the
 * pool, so a guest that still reached it would read garbage.
 */
#include "churn.h"
#include "cpu.h"
#include "mem.h"
#include "npt.h"
#include "serial.h"

#define LOC_SWAPPED    1ull
#define POISON         0xDEADBEEFBAADF00Dull
#define NTRAPS         256
#define AWAY_MAX       4096          /* pages away from home at most */
#define POOL_RESERVE   1024          /* pool pages kept for libslat's tables */
#define WIN_PAGES      8192          /* dirty-audit window: 32 MiB */
#define WIN_ROUNDS     6             /* rounds per window before it moves */
#define MIGRATE_N      16
#define UNMAP_N        32

static struct vcpu *V;
static int enabled;
static uint64_t lo, npages;          /* churned range: GPA lo, npages slots */
static uint64_t *loc;
static uint64_t *carry;              /* dirty state kept from leaves replaced or removed */
static uint32_t *away;               /* slots not at home, for bringing them back */
static uint64_t naway;
static uint64_t traps[NTRAPS];
static uint64_t rng;

/* window of the dirty audit */
static uint64_t win_first, win_round;
static uint64_t *win_hash, *win_bits;

static uint64_t hot_slot = (uint64_t)-1;   /* the last slot the guest wrote through a trap */

static const char *owed_by;          /* a change that needs an invalidation, if any */

static struct {
    uint64_t steps, migrated_out, migrated_home, unmapped, demand, splits, collapses;
    uint64_t traps_hit, guest_walk, rounds, pages_hashed, changed, reported, lost;
    uint64_t xlate_checks, xlate_bad, missing_flush, npf, errors, collapse_pages_bad;
    uint64_t collapse_dirty_in, collapse_dirty_over;
} st;

static int collapse_unflushed;       /* a collapse's table page waits in the gather */

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fail(const char *fmt, uint64_t a, uint64_t b)
{
    if (st.errors++ < 20) {
        kprintf("linux-npt: CHURN FAIL: ");
        kprintf(fmt, a, b);
        kprintf("\n");
    }
}

static inline uint64_t gpa_of(uint64_t i) { return lo + i * PAGE_4K; }
static inline uint64_t content_hpa(uint64_t i) { return loc[i] ? loc[i] & ~LOC_SWAPPED : gpa_of(i); }
static inline int bit(const uint64_t *b, uint64_t i) { return (b[i / 64] >> (i % 64)) & 1; }
static inline void set_bit(uint64_t *b, uint64_t i) { b[i / 64] |= 1ull << (i % 64); }

static void poison(uint64_t hpa)
{
    uint64_t *p = hpa_ptr(hpa);
    for (unsigned k = 0; k < PAGE_4K / 8; k++)
        p[k] = POISON;
}

static void owe(const char *why) { owed_by = why; }

static struct slat_gather *gather_for_migration(void)
{
#ifdef LNPT_LEAVE_OUT_FLUSH
    /* Scratch build only: the migration's changes go to a gather nobody
     * turns into TLB_CONTROL, as if the hypervisor forgot the invalidation. */
    static struct slat_gather lost;
    slat_gather_init(&lost);
    return &lost;
#else
    return &V->npt.changes;
#endif
}

static void gather_for_migration_done(struct slat_gather *g)
{
    if (g != &V->npt.changes)
        slat_gather_done(&V->npt.table, g);   /* the bug: "done" without a flush */
}

/* The dirty state of slot i's current leaf goes to carry[] before the leaf
 * is replaced, write-protected or removed (slat_map starts leaves clean). */
static void carry_dirty(uint64_t i)
{
#ifdef LNPT_LEAVE_OUT_CARRY
    (void)i;
    return;                 /* scratch build only: the dirty state is lost */
#endif
    struct slat_mapping m;
    if (!slat_translate(&V->npt.table, slat_gpa(gpa_of(i)), &m) && m.dirty)
        set_bit(carry, i);
}

static void expect_map(uint64_t i, uint64_t hpa, unsigned min_perms)
{
    struct slat_mapping m;
    st.xlate_checks++;
    int err = slat_translate(&V->npt.table, slat_gpa(gpa_of(i)), &m);
    if (err || m.hpa.v != hpa || (m.attrs.perms & min_perms) != min_perms) {
        st.xlate_bad++;
        fail("translate %lx: not the host page %lx", gpa_of(i), hpa);
    }
}

static void away_add(uint64_t i) { away[naway++] = (uint32_t)i; }
static void away_del(uint64_t k) { away[k] = away[--naway]; }

static int map4k(uint64_t i, uint64_t hpa, struct slat_gather *g)
{
    struct slat_attrs a = slat_attrs_make(SLAT_PERM_RWX, SLAT_MT_WB);
    int err = slat_map(&V->npt.table, slat_gpa(gpa_of(i)), PAGE_4K, slat_hpa(hpa), &a,
                       SLAT_MAP_REPLACE | SLAT_MAP_MAX_PAGE(12), g);
    if (err)
        fail("slat_map %lx: error %lu", gpa_of(i), (uint64_t)err);
    return err;
}

/* Move a mapped slot's contents to `to` (a pool page or its home). */
static int move_slot(uint64_t i, uint64_t to)
{
    uint64_t from = content_hpa(i);
    carry_dirty(i);
    memcpy(hpa_ptr(to), hpa_ptr(from), PAGE_4K);
    struct slat_gather *g = gather_for_migration();
#ifdef LNPT_LEAVE_OUT_REMAP
    /* Scratch build only: the table keeps the old page, as a TLB that was
     * never invalidated would on hardware; the guest then meets the poison. */
    int err = 0;
#else
    int err = map4k(i, to, g);
#endif
    gather_for_migration_done(g);
    if (err)
        return err;
    owe("migration");
    poison(from);
    if (from != gpa_of(i))
        pool_free_after_flush(from);
    loc[i] = to == gpa_of(i) ? 0 : to;
    expect_map(i, to, SLAT_PERM_RW);
    return 0;
}

static void migrate_some(void)
{
    for (int n = 0; n < MIGRATE_N; n++) {
        if ((n & 1) && naway) {                          /* bring one home */
            uint64_t k = rnd() % naway, i = away[k];
            if (loc[i] & LOC_SWAPPED)
                continue;                                /* demand paging brings it */
            if (!move_slot(i, gpa_of(i))) {
                away_del(k);
                st.migrated_home++;
            }
        } else if (naway < AWAY_MAX && pool_free_pages() > POOL_RESERVE) {
            uint64_t i = rnd() % npages;
            if (loc[i])
                continue;
            uint64_t to = pool_alloc_page();
            if (!to)
                return;
            if (!move_slot(i, to)) {
                away_add(i);
                st.migrated_out++;
            }
        }
    }
}

static void unmap_some(void)
{
    for (int n = 0; n < UNMAP_N; n++) {
        uint64_t i = rnd() % npages;
        if ((loc[i] & LOC_SWAPPED) || naway >= AWAY_MAX || pool_free_pages() <= POOL_RESERVE)
            continue;
        uint64_t keep = pool_alloc_page(), from = content_hpa(i);
        if (!keep)
            return;
        carry_dirty(i);
        memcpy(hpa_ptr(keep), hpa_ptr(from), PAGE_4K);
        int err = slat_unmap(&V->npt.table, slat_gpa(gpa_of(i)), PAGE_4K, &V->npt.changes);
        if (err) {
            fail("slat_unmap %lx: error %lu", gpa_of(i), (uint64_t)err);
            pool_free_after_flush(keep);
            continue;
        }
        owe("unmap");
        poison(from);
        if (loc[i])
            pool_free_after_flush(from);     /* it was away already: in away[] */
        else
            away_add(i);
        loc[i] = keep | LOC_SWAPPED;
        st.unmapped++;
        struct slat_mapping m;
        st.xlate_checks++;
        if (slat_translate(&V->npt.table, slat_gpa(gpa_of(i)), &m) != SLAT_ENOENT) {
            st.xlate_bad++;
            fail("translate %lx: still mapped after unmap (%lu)", gpa_of(i), 0);
        }
    }
}

/* Demand paging: the guest touched a slot whose contents the hypervisor
 * keeps.  It comes back home. */
static int page_in(uint64_t i)
{
    uint64_t keep = loc[i] & ~LOC_SWAPPED;
    memcpy(hpa_ptr(gpa_of(i)), hpa_ptr(keep), PAGE_4K);
    if (map4k(i, gpa_of(i), &V->npt.changes))
        return -1;
    poison(keep);
    pool_free_after_flush(keep);
    loc[i] = 0;
    for (uint64_t k = 0; k < naway; k++)
        if (away[k] == i) {
            away_del(k);
            break;
        }
    st.demand++;
    expect_map(i, gpa_of(i), SLAT_PERM_RW);
    return 0;
}

/* Split a 2 MiB leaf, or put a split region back together as one leaf
 * with slat_collapse().  That merges only 512 present leaves of a
 * contiguous, aligned run with the same attributes, so every slot of the
 * region comes home first and a write trap inside it is given back.
 *
 * The region's dirty state is not harvested first: the collapse carries
 * it into the 2 MiB leaf.  This table has no sync_invalidate hook (the
 * flush is VMCB.TLB_CONTROL at the next VMRUN), so libslat cannot read the
 * children after the hardware stopped writing them and marks the new leaf
 * dirty as a whole: the next dirty round reports all 512 pages, an
 * over-report the audit accepts (it fails only a page that changed and was
 * not reported). */
static void split_or_collapse(void)
{
    uint64_t first2m = (lo + PAGE_2M - 1) & ~(PAGE_2M - 1);
    uint64_t regions = (lo + npages * PAGE_4K - first2m) / PAGE_2M;
    if (!regions)
        return;
    uint64_t base = first2m + (rnd() % regions) * PAGE_2M;
    uint64_t i0 = (base - lo) / PAGE_4K;
    struct slat_mapping m;
    if (slat_translate(&V->npt.table, slat_gpa(base), &m) == 0 && m.page_lg2 == 21) {
        int err = slat_split(&V->npt.table, slat_gpa(base), PAGE_2M, 12, &V->npt.changes);
        if (err)
            fail("slat_split %lx: error %lu", base, (uint64_t)err);
        else
            st.splits++;
        return;
    }
    for (uint64_t k = 0; k < 512; k++) {
        uint64_t i = i0 + k;
        if (loc[i]) {
            int r = (loc[i] & LOC_SWAPPED) ? page_in(i) : move_slot(i, gpa_of(i));
            if (r)
                return;
            for (uint64_t a = 0; a < naway; a++)
                if (away[a] == i) {
                    away_del(a);
                    break;
                }
        }
        if (slat_translate(&V->npt.table, slat_gpa(gpa_of(i)), &m) == 0 &&
            !(m.attrs.perms & SLAT_PERM_W)) {
            if (npt_protect(&V->npt, gpa_of(i), PAGE_4K, SLAT_PERM_RWX)) {
                fail("unprotect %lx before collapse (%lu)", gpa_of(i), 0);
                return;
            }
            owe("unprotect before collapse");
        }
    }
    int was_dirty = 0;
    for (uint64_t k = 0; k < 512; k++)
        if (slat_translate(&V->npt.table, slat_gpa(base + k * PAGE_4K), &m) == 0 && m.dirty)
            was_dirty = 1;
    uint64_t tables = slat_table_pages(&V->npt.table);
    uint64_t freed = slat_gather_pages(&V->npt.changes);
    int err = slat_collapse(&V->npt.table, slat_gpa(base), PAGE_2M, &V->npt.changes);
    if (err) {
        fail("slat_collapse %lx: error %lu", base, (uint64_t)err);
        return;
    }
    owe("collapse");
    st.collapses++;
    st.xlate_checks++;
    uint64_t off = (rnd() % 512) * PAGE_4K;
    if (slat_translate(&V->npt.table, slat_gpa(base + off), &m) || m.page_lg2 != 21 ||
        m.hpa.v != base + off) {
        st.xlate_bad++;
        fail("collapse %lx: not one 2 MiB leaf afterwards (%lu)", base, m.page_lg2);
    } else if (was_dirty && !m.dirty) {
        fail("collapse %lx: a page was dirty, the 2 MiB leaf is clean (%lu)", base, 0);
    } else {
        st.collapse_dirty_in += was_dirty;
        st.collapse_dirty_over += m.dirty && !was_dirty;   /* no hook: the whole leaf */
    }
    /* The table of 512 leaves leaves the table now and waits in the gather
     * until the VMRUN that flushes it; churn_after_flush() checks that
     * slat_gather_done() gave it back. */
    if (slat_table_pages(&V->npt.table) != tables - 1 ||
        slat_gather_pages(&V->npt.changes) != freed + 1) {
        st.collapse_pages_bad++;
        fail("collapse %lx: %lu table pages, not one less", base, slat_table_pages(&V->npt.table));
    }
    collapse_unflushed = 1;
}

static void arm_trap(unsigned t)
{
    uint64_t i = rnd() % npages;
    traps[t] = i;
    if (loc[i] & LOC_SWAPPED)
        return;                                        /* faults anyway */
    carry_dirty(i);
    if (npt_protect(&V->npt, gpa_of(i), PAGE_4K, SLAT_PERM_RX))
        fail("protect %lx: failed (%lu)", gpa_of(i), 0);
    else
        owe("write-protect");
}

static uint64_t page_hash(uint64_t hpa)
{
    const uint64_t *p = hpa_ptr(hpa);
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned k = 0; k < PAGE_4K / 8; k++)
        h = (h ^ p[k]) * 0x100000001b3ull;
    return h;
}

/* One dirty-logging round over the window; see churn.h. */
static void dirty_round(void)
{
    if (npages < WIN_PAGES)
        return;
    if (win_round == WIN_ROUNDS)
        win_round = 0;
    if (win_round == 0) {
        /* where the guest writes now, if a trap said so: a window of
         * untouched pages would check nothing */
        uint64_t at = hot_slot < npages ? hot_slot : rnd() % npages;
        win_first = at / WIN_PAGES * WIN_PAGES;
        if (win_first + WIN_PAGES > npages)
            win_first = npages - WIN_PAGES;
    }
    memset(win_bits, 0, WIN_PAGES / 8);
    uint64_t found = 0;
    int err = slat_dirty_harvest(&V->npt.table, slat_gpa(gpa_of(win_first)), WIN_PAGES * PAGE_4K,
                                 win_bits, WIN_PAGES / 64, 0, &found, &V->npt.changes);
    if (err) {
        fail("harvest: error %lu (%lu)", (uint64_t)err, 0);
        return;
    }
    if (found)
        owe("dirty harvest");
    for (uint64_t k = 0; k < WIN_PAGES; k++) {
        uint64_t i = win_first + k;
        int dirty = bit(win_bits, k) | bit(carry, i);
        carry[i / 64] &= ~(1ull << (i % 64));
        uint64_t h = page_hash(content_hpa(i));
        if (win_round > 0) {
            st.pages_hashed++;
            st.reported += dirty;
            if (h != win_hash[k]) {
                st.changed++;
                if (!dirty) {
                    st.lost++;
                    fail("dirty round: page %lx changed but was not reported dirty (round %lu)",
                         gpa_of(i), st.rounds);
                }
            }
        }
        win_hash[k] = h;
    }
    win_round++;
    st.rounds++;
}

static void step(void)
{
    st.steps++;
    switch (st.steps % 4) {
    case 0: migrate_some(); break;
    case 1: unmap_some(); break;
    case 2: split_or_collapse(); break;
    case 3: migrate_some(); break;
    }
    if (st.steps % 8 == 0)
        dirty_round();
}

void churn_init(struct vcpu *v, struct linux_guest *g, int on)
{
    V = v;
    enabled = on;
    lo = g->ram_lo;
    npages = (g->ram_hi - g->ram_lo) / PAGE_4K;
    loc = hpa_ptr(pool_alloc_bytes(npages * 8));
    carry = hpa_ptr(pool_alloc_bytes(npages / 8 + 8));
    away = hpa_ptr(pool_alloc_bytes(AWAY_MAX * 4));
    win_hash = hpa_ptr(pool_alloc_bytes(WIN_PAGES * 8));
    win_bits = hpa_ptr(pool_alloc_bytes(WIN_PAGES / 8));
    uint32_t a, d;
    __asm__ volatile("rdtsc" : "=a"(a), "=d"(d));
    rng = ((uint64_t)d << 32 | a) | 1;
    kprintf("linux-npt: churn %s over %lx-%lx (%lu pages), seed %lx\n", on ? "on" : "off",
            lo, g->ram_hi, npages, rng);
    if (on)
        for (unsigned t = 0; t < NTRAPS; t++)
            arm_trap(t);
}

int churn_npf(struct vcpu *v)
{
    struct slat_fault f;
    slat_npt_fault(v->vmcb->ctl.exitinfo1, v->vmcb->ctl.exitinfo2, &f);
    uint64_t gpa = f.gpa.v;
    st.npf++;
    if (gpa < lo || gpa >= lo + npages * PAGE_4K) {
        kprintf("linux-npt: #NPF outside guest RAM: gpa %lx info1 %lx rip %lx%s\n", gpa,
                v->vmcb->ctl.exitinfo1, v->vmcb->save.rip,
                gpa >= HV_START && gpa < HV_END ? " (the hypervisor's memory)" : "");
        return -1;
    }
    uint64_t i = (gpa - lo) / PAGE_4K;
    st.guest_walk += f.guest_walk;
    if (loc[i] & LOC_SWAPPED) {
        if (page_in(i))
            return -1;
        if (st.demand % 2 == 0)
            step();
        return 0;
    }
    struct slat_mapping m;
    if (slat_translate(&v->npt.table, slat_gpa(gpa), &m)) {
        fail("#NPF at %lx: not mapped and not swapped (info1 %lx)", gpa, v->vmcb->ctl.exitinfo1);
        return -1;
    }
    if ((m.attrs.perms & SLAT_PERM_W) == 0) {
        /* a trap: give the write back, change something, set a new trap */
        if (npt_protect(&v->npt, gpa & ~(PAGE_4K - 1), PAGE_4K, SLAT_PERM_RWX)) {
            fail("unprotect %lx (%lu)", gpa, 0);
            return -1;
        }
        st.traps_hit++;
        hot_slot = i;
        step();
        arm_trap((unsigned)(st.traps_hit % NTRAPS));
        return 0;
    }
    fail("#NPF at %lx on a writable page (info1 %lx)", gpa, v->vmcb->ctl.exitinfo1);
    return -1;
}

void churn_before_vmrun(uint8_t tlb_control)
{
    if (owed_by && tlb_control == SLAT_NPT_TLB_NONE) {
        st.missing_flush++;
        if (st.errors++ < 20)
            kprintf("linux-npt: CHURN FAIL: VMRUN with TLB_CONTROL 0 after a %s: "
                    "the guest may keep using a stale translation\n", owed_by);
    }
    owed_by = 0;
}

void churn_after_flush(void)
{
    if (!collapse_unflushed)
        return;
    collapse_unflushed = 0;
    if (slat_gather_pages(&V->npt.changes)) {
        st.collapse_pages_bad++;
        fail("collapse: %lu table pages still held after slat_gather_done (%lu)",
             slat_gather_pages(&V->npt.changes), 0);
    }
}

uint64_t churn_failures(void)
{
    return st.errors;
}

int churn_finish(struct vcpu *v)
{
    (void)v;
    if (enabled) {
        dirty_round();                 /* one more, also for a window just started */
        dirty_round();
    }
    kprintf("linux-npt: churn: %lu steps on %lu #NPF (%lu traps hit, %lu guest-walk faults)\n",
            st.steps, st.npf, st.traps_hit, st.guest_walk);
    kprintf("linux-npt: churn: %lu pages migrated out, %lu home, %lu unmapped, %lu paged back in, "
            "%lu splits, %lu collapses (%lu with a wrong table page count), %lu away now\n",
            st.migrated_out, st.migrated_home, st.unmapped, st.demand, st.splits, st.collapses,
            st.collapse_pages_bad, naway);
    kprintf("linux-npt: collapse: %lu of regions with a dirty page, %lu clean ones whose leaf "
            "came out dirty (over-reported: no sync hook)\n",
            st.collapse_dirty_in, st.collapse_dirty_over);
    kprintf("linux-npt: dirty: %lu rounds, %lu page checks, %lu changed, %lu reported dirty, %lu lost\n",
            st.rounds, st.pages_hashed, st.changed, st.reported, st.lost);
    kprintf("linux-npt: audit: %lu translation checks (%lu bad), %lu VMRUNs without a needed flush\n",
            st.xlate_checks, st.xlate_bad, st.missing_flush);
    return (int)st.errors;
}
