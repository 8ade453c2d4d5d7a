import { describe, expect, it } from '@jest/globals';
import type { ControlState } from '../../rating/rating.types.js';
import {
  catalogFindings,
  type ControlCatalog,
  NO_FINDINGS,
  ratingWarnings,
  snapshotWarnings,
  withInstanceAliases,
  withoutInstancePrefix,
} from './control-warnings.js';

const catalog: ControlCatalog = {
  maxScores: new Map([['AdminMFAV2', '10']]),
  known: new Set(['AdminMFAV2', 'OldControl', 'MfaRegistrationV2']),
  deprecated: new Set(['OldControl']),
};

describe('catalogFindings', () => {
  it('lists unknown and deprecated names in payload order', () => {
    expect(
      catalogFindings(['Zeta', 'AdminMFAV2', 'OldControl', 'Alpha', '__proto__'], catalog),
    ).toEqual({
      unknownControls: ['Zeta', 'Alpha', '__proto__'],
      deprecatedControls: ['OldControl'],
    });
  });

  it('shares one frozen empty result when the catalog knows every control', () => {
    expect(catalogFindings(['AdminMFAV2', 'MfaRegistrationV2'], catalog)).toBe(NO_FINDINGS);
    expect(Object.isFrozen(NO_FINDINGS.unknownControls)).toBe(true);
  });
});

describe('snapshotWarnings', () => {
  const names = ['AdminMFAV2', 'OldControl', 'Zeta'];
  const findings = { unknownControls: ['Zeta'], deprecatedControls: ['OldControl'] };

  it('points at each control score from where the snapshot sits, by the member of its shape', () => {
    expect(
      snapshotWarnings(names, findings, { snapshotPointer: '/value/3', nameMember: 'referenceId' }),
    ).toEqual([
      {
        code: 'DEPRECATED_CONTROL',
        control: 'OldControl',
        pointer: '/value/3/controlScores/1/referenceId',
        detail: expect.stringContaining('Deprecated'),
      },
      {
        code: 'UNKNOWN_CONTROL',
        control: 'Zeta',
        pointer: '/value/3/controlScores/2/referenceId',
        detail: expect.stringContaining('Not in the control catalog'),
      },
    ]);
  });

  it('has no pointer without a location, and nothing to say without findings', () => {
    expect(snapshotWarnings(names, findings).map((w) => Object.hasOwn(w, 'pointer'))).toEqual([
      false,
      false,
    ]);
    expect(snapshotWarnings(names, NO_FINDINGS, { snapshotPointer: '', nameMember: 'x' })).toEqual(
      [],
    );
  });
});

describe('ratingWarnings', () => {
  it('adds the Ignored and ThirdParty states of present controls, after the catalog findings', () => {
    // As an assessment's stored states read: JSON.parse makes "__proto__" an own key.
    const states = JSON.parse(
      '{"__proto__": "ThirdParty", "AdminMFAV2": "Ignored", "Absent": "ThirdParty", "Zeta": "Reviewed"}',
    ) as Record<string, ControlState>;
    const warnings = ratingWarnings(
      ['Zeta', 'AdminMFAV2', '__proto__'],
      { unknownControls: ['Zeta', '__proto__'], deprecatedControls: [] },
      states,
    );
    expect(warnings.map((w) => [w.code, w.control])).toEqual([
      ['UNKNOWN_CONTROL', 'Zeta'],
      ['UNKNOWN_CONTROL', '__proto__'],
      ['CONTROL_STATE_IGNORED', 'AdminMFAV2'],
      ['CONTROL_STATE_THIRD_PARTY', '__proto__'],
    ]);
  });

  it('does not read states inherited from Object.prototype', () => {
    expect(ratingWarnings(['constructor', 'toString'], NO_FINDINGS, {})).toEqual([]);
  });
});

describe('instance-prefixed control ids (securescore-contract §3, §6.6)', () => {
  it.each([
    ['11770.MDA_Google_EnableTwoFactorAuth', 'MDA_Google_EnableTwoFactorAuth'],
    ['1.x', 'x'],
    ['MDA_Google_EnableTwoFactorAuth', null],
    ['2.5', '5'],
    ['11770.', null],
    ['v1.MDA', null],
  ])('reads %s as the control %s', (name, plain) => {
    expect(withoutInstancePrefix(name)).toBe(plain);
  });

  it('lets a prefixed name answer for the plain one, unless that has an entry of its own', () => {
    const aliased = withInstanceAliases([
      ['11770.MDA_A', 'first instance'],
      ['22222.MDA_A', 'second instance'],
      ['33333.MDA_B', 'instance'],
      ['MDA_B', 'plain'],
    ]);
    expect(aliased.get('MDA_A')).toBe('first instance');
    expect(aliased.get('MDA_B')).toBe('plain');
    expect(aliased.get('22222.MDA_A')).toBe('second instance');
    expect(aliased.size).toBe(5);
  });
});
