#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""One-off, repeatable refactor for the stable ABI (issue 11, item 1).

Kept so that it can be re-applied over branches that changed lib/ or
backends/ in parallel; delete once every branch is merged. Run from the top
of the tree:  python3 abi/opaque-refactor.py

1. In lib/ (not lib/hosted, which uses the public API) and backends/, the
   core works on the private structures: every `struct slat_table` becomes
   `struct table_state` and every `struct slat_gather` `struct gather_state`
   (lib/table_state.h).
2. Every definition of a public function (one declared in include/slat/)
   takes the public types again, as parameters named <name>_pub, and its
   first statement converts each once: table_of()/gather_of() (and the _c
   variants for const).
What the compiler then rejects (internal calls of public functions, the
embedder's hooks, which take public pointers) is fixed by hand with
table_pub()/gather_pub(): see the commit.
"""
import glob
import re

PRIV = {'slat_table': 'table_state', 'slat_gather': 'gather_state'}
CONV = {'table_state': 'table_of', 'gather_state': 'gather_of'}

public = set()
for h in glob.glob('include/slat/*.h'):
    for m in re.finditer(r'\b(slat_\w+)\s*\(', open(h).read()):
        public.add(m.group(1))

files = [f for f in glob.glob('lib/*.[ch]') + glob.glob('backends/*/*.[ch]')
         if f != 'lib/table_state.h']
for f in files:
    s = open(f).read()
    s = re.sub(r'\bstruct slat_table\b', 'struct table_state', s)
    s = re.sub(r'\bstruct slat_gather\b', 'struct gather_state', s)
    if f.endswith('.c'):
        out, pos = [], 0
        # A definition: at the start of a line, ends with ")\n{".
        pat = re.compile(r'^([A-Za-z_][\w \*]*?\b)(slat_[a-z]\w*)\(([^;{]*?)\)\n\{\n', re.M)
        for m in pat.finditer(s):
            name = m.group(2)
            if name not in public:
                continue
            params, prologue = m.group(3), []

            def fix(pm):
                const, kind, var = pm.group(1) or '', pm.group(2), pm.group(3)
                pubtype = [k for k, v in PRIV.items() if v == kind][0]
                conv = CONV[kind] + ('_c' if const else '')
                prologue.append('\t%sstruct %s *%s = %s(%s_pub);\n' %
                                (const, kind, var, conv, var))
                return '%sstruct %s *%s_pub' % (const, pubtype, var)
            params = re.sub(r'(const )?struct (table_state|gather_state) \*(\w+)', fix, params)
            out.append(s[pos:m.start()])
            out.append('%s%s(%s)\n{\n%s' % (m.group(1), name, params, ''.join(prologue)))
            pos = m.end()
        out.append(s[pos:])
        s = ''.join(out)
    open(f, 'w').write(s)

# 3. Clients that read a gather's fields (the demo, tests, fuzzers) use the
#    accessors instead. Writes of private fields in tests are done by hand
#    through lib/table_state.h.
CHAIN = r'\b([A-Za-z_]\w*(?:(?:\.|->)[A-Za-z_]\w*)*?)'
GATHER = r'\b((?:[A-Za-z_]\w*(?:\.|->))*(?:g|g2|seen|last_sync|inv))'


def ref(expr, op):
    return expr if op == '->' else '&' + expr


clients = (glob.glob('tests/unit/*.c') + glob.glob('tests/fuzz/*.c') +
           glob.glob('examples/demo/*.c') + glob.glob('bench/*.c'))
for f in clients:
    s = open(f).read()
    o = s
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
    if s != o:
        open(f, 'w').write(s)

# 4. White-box unit tests read private table fields through
#    lib/table_state.h (harness.h includes it): t->lay becomes
#    table_of_c(t)->lay, f.t.root table_of_c(&f.t)->root. The fake backend
#    of test_fake.c implements format hooks, which take the private type.
TABLE = r'\b(t|f\.t|f->t|o\.t|fx\.t|b\.t|b->t|npt\.t)'
for f in glob.glob('tests/unit/*.c'):
    s = open(f).read()
    o = s
    if f != 'tests/unit/test_fake.c':  # its `t` are the hooks' private tables
        s = re.sub(TABLE + r'(\.|->)(alloc|caps|lay|root|root_pa|fmt|features)\b',
                   lambda m: 'table_of_c(%s)->%s' % (ref(m.group(1), m.group(2)), m.group(3)), s)
    if f == 'tests/unit/test_fake.c':
        s = re.sub(r'^(static \w+ fake_\w+\((?:const )?)struct slat_table \*t\b',
                   r'\1struct table_state *t', s, flags=re.M)
    if s != o:
        open(f, 'w').write(s)
