#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One-off, repeatable refactor for the stable ABI (issue 11, item 1).

Kept so that it can be re-applied to files that other branches changed in
parallel; delete once every branch is merged. From the top of the tree:

    python3 abi/opaque-refactor.py                 # the whole tree
    python3 abi/opaque-refactor.py lib/protect.c   # just these files

A file that already uses table_of()/gather_of() or the gather accessors
is left alone, so running it twice changes nothing.

1. lib/ (not lib/hosted, which uses the public API) and backends/: the core
   works on the private structures of lib/table_state.h: every
   `struct slat_table` becomes `struct table_state`, every
   `struct slat_gather` `struct gather_state`.
2. Every definition there of a public function (one declared in
   include/slat/) takes the public types again, as parameters named
   <name>_pub, and its first statement converts each once: table_of() /
   gather_of() (table_of_c() / gather_of_c() for const).
3. Clients that read a gather's fields (the demo, tests, fuzzers, bench)
   call the accessors: g->nranges is slat_gather_nranges(g), g->ranges[i]
   slat_gather_range(g, i), ->free_pages slat_gather_pages(), ->flags
   slat_gather_flags(), ->table slat_gather_table().
4. White-box unit tests read private table fields through
   lib/table_state.h (harness.h includes it): t->lay becomes
   table_of_c(t)->lay. The fake backend of test_fake.c implements format
   hooks, which take the private type.

What the compiler then rejects is fixed by hand (see the commit that added
this file): internal calls of public functions get the <name>_pub pointer,
the embedder's hooks get table_pub()/gather_pub() of a whole public object,
and tests that write private fields use table_of()/gather_of().
"""
import glob
import re
import sys

PRIV = {'slat_table': 'table_state', 'slat_gather': 'gather_state'}
CONV = {'table_state': 'table_of', 'gather_state': 'gather_of'}
DECL = r'\t(const |struct |unsigned |u?int\w* |bool |size_t |slat_\w+ )'

public = set()
for h in glob.glob('include/slat/*.h'):
    for m in re.finditer(r'\b(slat_\w+)\s*\(', open(h).read()):
        public.add(m.group(1))


def core_file(s):
    s = re.sub(r'\bstruct slat_table\b', 'struct table_state', s)
    s = re.sub(r'\bstruct slat_gather\b', 'struct gather_state', s)
    out, pos = [], 0
    # A definition: at the start of a line, ends with ")\n{".
    pat = re.compile(r'^([A-Za-z_][\w \*]*?\b)(slat_[a-z]\w*)\(([^;{]*?)\)\n\{\n', re.M)
    for m in pat.finditer(s):
        if m.group(2) not in public:
            continue
        prologue = []

        def fix(pm):
            const, kind, var = pm.group(1) or '', pm.group(2), pm.group(3)
            pubtype = [k for k, v in PRIV.items() if v == kind][0]
            prologue.append('\t%sstruct %s *%s = %s%s(%s_pub);\n' %
                            (const, kind, var, CONV[kind], '_c' if const else '', var))
            return '%sstruct %s *%s_pub' % (const, pubtype, var)
        params = re.sub(r'(const )?struct (table_state|gather_state) \*(\w+)', fix, m.group(3))
        out.append(s[pos:m.start()])
        out.append('%s%s(%s)\n{\n%s' % (m.group(1), m.group(2), params, ''.join(prologue)))
        pos = m.end()
        rest = s[pos:pos + 100]
        if prologue and not re.match(DECL, rest) and not rest.startswith('\n'):
            out.append('\n')  # declarations end with a blank line
    out.append(s[pos:])
    return ''.join(out)


CHAIN = r'\b([A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*)*?)'
GATHER = r'\b((?:[A-Za-z_]\w*(?:\.|->))*(?:g|g2|seen|last_sync|inv))'
TABLE = r'\b(t|f\.t|f->t|o\.t|fx\.t|b\.t|b->t|npt\.t)'


def ref(expr, op):
    return expr if op == '->' else '&' + expr


def client_file(f, s):
    s = re.sub(CHAIN + r'(\.|->)ranges\[([^\[\]]*)\]',
               lambda m: 'slat_gather_range(%s, %s)' % (ref(m.group(1), m.group(2)), m.group(3)), s)
    s = re.sub(CHAIN + r'(\.|->)nranges\b',
               lambda m: 'slat_gather_nranges(%s)' % ref(m.group(1), m.group(2)), s)
    s = re.sub(CHAIN + r'(\.|->)free_pages\b',
               lambda m: 'slat_gather_pages(%s)' % ref(m.group(1), m.group(2)), s)
    s = re.sub(GATHER + r'(\.|->)flags\b(?!\s*=[^=])',
               lambda m: 'slat_gather_flags(%s)' % ref(m.group(1), m.group(2)), s)
    s = re.sub(GATHER + r'(\.|->)table\b(?!\s*=[^=])',
               lambda m: 'slat_gather_table(%s)' % ref(m.group(1), m.group(2)), s)
    if f.startswith('tests/unit/'):
        if f == 'tests/unit/test_fake.c':
            s = re.sub(r'^(static \w+ fake_\w+\((?:const )?)struct slat_table \*t\b',
                       r'\1struct table_state *t', s, flags=re.M)
        else:
            s = re.sub(TABLE + r'(\.|->)(alloc|caps|lay|root|root_pa|fmt|features)\b',
                       lambda m: 'table_of_c(%s)->%s' % (ref(m.group(1), m.group(2)), m.group(3)), s)
    return s


def main(argv):
    core = [f for f in glob.glob('lib/*.[ch]') + glob.glob('backends/*/*.[ch]')
            if f != 'lib/table_state.h']
    clients = (glob.glob('tests/unit/*.c') + glob.glob('tests/fuzz/*.c') +
               glob.glob('examples/demo/*.c') + glob.glob('bench/*.c'))
    files = argv or core + clients
    for f in files:
        s = open(f).read()
        if re.search(r'\b(table_of|gather_of)(_c)?\(|slat_gather_(nranges|range|pages)\(', s):
            continue  # converted already
        if f in core or (f.startswith(('lib/', 'backends/')) and not f.startswith('lib/hosted')):
            n = core_file(s)
        else:
            n = client_file(f, s)
        if n != s:
            open(f, 'w').write(n)
            print('converted', f)


main(sys.argv[1:])
