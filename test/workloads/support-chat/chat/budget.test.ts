import {
  type BudgetRules, decideBudget, DEFAULT_BUDGET_RULES, parseBudgetRules, validateBudgetRules,
} from '../../../../workloads/support-chat/chat/handlers/lib/budget';

const both = (fraction: number) => ({ user: fraction, tenant: fraction });

describe('decideBudget with the default rules', () => {
  test.each([
    // fraction left, simple, complex
    [1, 'fast', 'capable'],
    [0.5, 'fast', 'capable'],
    [0.3, 'fast', 'capable'], // exactly 30 %: not under it
    [0.2999, 'fast', 'capable'], // under 30 %: capable only for complex
    [0.1, 'fast', 'capable'], // exactly 10 %: not under it
    [0.0999, 'fast', 'fast'], // under 10 %: fast only
    [0.0001, 'fast', 'fast'],
  ] as const)('%s left: simple → %s, complex → %s', (fraction, simple, complex) => {
    expect(decideBudget(both(fraction), 'simple')).toMatchObject({ kind: 'model', role: simple });
    expect(decideBudget(both(fraction), 'complex')).toMatchObject({ kind: 'model', role: complex });
  });

  test.each([0, -0.01, Number.NaN])('%s left: refused with budget_exhausted', (fraction) => {
    for (const cls of ['simple', 'complex'] as const) {
      expect(decideBudget(both(fraction), cls)).toMatchObject({ kind: 'refuse', code: 'budget_exhausted' });
    }
  });

  test('the tighter of the user and the tenant decides, and is named', () => {
    expect(decideBudget({ user: 0.9, tenant: 0.05 }, 'complex')).toEqual({ kind: 'model', role: 'fast', tier: 0.1, remaining: 0.05, limitedBy: 'tenant' });
    expect(decideBudget({ user: 0.05, tenant: 0.9 }, 'complex')).toMatchObject({ role: 'fast', limitedBy: 'user' });
    expect(decideBudget({ user: 0, tenant: 1 }, 'simple')).toEqual({ kind: 'refuse', code: 'budget_exhausted', limitedBy: 'user' });
    expect(decideBudget({ user: 1, tenant: 0 }, 'simple')).toEqual({ kind: 'refuse', code: 'budget_exhausted', limitedBy: 'tenant' });
  });

  test('reports the tier that applied', () => {
    expect(decideBudget(both(0.5), 'complex')).toMatchObject({ tier: undefined, remaining: 0.5 });
    expect(decideBudget(both(0.2), 'complex')).toMatchObject({ tier: 0.3 });
    expect(decideBudget(both(0.05), 'complex')).toMatchObject({ tier: 0.1 });
  });

  test('fractions above 1 count as 1', () => {
    expect(decideBudget(both(7), 'complex')).toMatchObject({ role: 'capable', remaining: 1 });
  });
});

describe('decideBudget with other rules', () => {
  test('the 30 % tier downgrades simple questions a generous routing sends to the capable model', () => {
    const rules: BudgetRules = { ...DEFAULT_BUDGET_RULES, routing: { simple: 'capable', complex: 'capable' } };
    expect(decideBudget(both(0.31), 'simple', rules)).toMatchObject({ role: 'capable' });
    expect(decideBudget(both(0.29), 'simple', rules)).toMatchObject({ role: 'fast' });
    expect(decideBudget(both(0.29), 'complex', rules)).toMatchObject({ role: 'capable' });
  });

  test('a tier never upgrades past the routing', () => {
    const rules: BudgetRules = { routing: { simple: 'fast', complex: 'fast' }, tiers: [{ below: 0.5, simple: 'capable', complex: 'capable' }] };
    expect(decideBudget(both(0.2), 'complex', rules)).toMatchObject({ role: 'fast' });
  });

  test('no tiers: the routing until nothing is left', () => {
    const rules: BudgetRules = { routing: { simple: 'fast', complex: 'capable' }, tiers: [] };
    expect(decideBudget(both(0.001), 'complex', rules)).toMatchObject({ role: 'capable' });
    expect(decideBudget(both(0), 'complex', rules)).toMatchObject({ kind: 'refuse' });
  });
});

describe('validateBudgetRules', () => {
  test('the default rules are valid', () => {
    expect(validateBudgetRules(DEFAULT_BUDGET_RULES)).toEqual([]);
    expect(parseBudgetRules(JSON.parse(JSON.stringify(DEFAULT_BUDGET_RULES)))).toEqual(DEFAULT_BUDGET_RULES);
  });

  test.each([
    ['a threshold of 0', { below: 0 }, /below must be a number in \(0, 1\]/],
    ['a threshold over 1', { below: 1.5 }, /below must be a number in \(0, 1\]/],
    ['a threshold that is not a number', { below: '0.3' }, /below must be a number/],
    ['an unknown role', { simple: 'huge' }, /simple must be fast or capable/],
    ['an unknown key', { above: 0.2 }, /unknown key "above"/],
  ])('refuses %s', (_, change, message) => {
    const rules = { ...DEFAULT_BUDGET_RULES, tiers: [{ ...DEFAULT_BUDGET_RULES.tiers[0], ...change }, DEFAULT_BUDGET_RULES.tiers[1]] };
    expect(validateBudgetRules(rules).join('\n')).toMatch(message);
    expect(() => parseBudgetRules(rules)).toThrow(message);
  });

  test('thresholds must descend strictly', () => {
    const ascending = { ...DEFAULT_BUDGET_RULES, tiers: [...DEFAULT_BUDGET_RULES.tiers].reverse() };
    expect(validateBudgetRules(ascending).join('\n')).toMatch(/thresholds descend/);
    const equal = { ...DEFAULT_BUDGET_RULES, tiers: [DEFAULT_BUDGET_RULES.tiers[1], DEFAULT_BUDGET_RULES.tiers[1]] };
    expect(validateBudgetRules(equal).join('\n')).toMatch(/thresholds descend/);
  });

  test('a lower tier may not allow more than the one above it', () => {
    const upgrading = {
      ...DEFAULT_BUDGET_RULES,
      tiers: [{ below: 0.3, simple: 'fast', complex: 'fast' }, { below: 0.1, simple: 'fast', complex: 'capable' }],
    };
    expect(validateBudgetRules(upgrading).join('\n')).toMatch(/tiers\[1\]\.complex \(capable\) must not exceed/);
  });

  test('refuses a value of the wrong shape', () => {
    expect(validateBudgetRules(null)).toEqual(['budget rules must be an object']);
    expect(validateBudgetRules({ routing: { simple: 'fast', complex: 'capable' } })).toContain('tiers must be an array');
    expect(validateBudgetRules({ routing: 'fast', tiers: [] })).toContain('routing must be an object');
  });
});
