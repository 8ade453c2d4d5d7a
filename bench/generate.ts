import fs from 'node:fs';

const catalog = JSON.parse(
  fs.readFileSync(new URL('../src/secure-scores/catalog/catalog.json', import.meta.url), 'utf8'),
) as { id: string; controlCategory?: string; maxScore?: number }[];

/** A deterministic pseudo-random number in [0, 1) from two integers (no Math.random: repeatable runs). */
function noise(a: number, b: number): number {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

/** A Graph v1.0 `secureScore` of about `controls` controls from the shipped catalog. */
export function generateSnapshot(
  index: number,
  controls = 100,
  day = '2026-07-01',
): Record<string, unknown> {
  const azureTenantId = `bench-${String(index).padStart(8, '0')}-0000-0000-0000-000000000000`;
  const scores = catalog.slice(0, controls).map((profile, c) => {
    const maxScore = profile.maxScore ?? 10;
    const percentage = Math.round(noise(index, c) * 100);
    return {
      controlCategory: profile.controlCategory ?? 'Identity',
      controlName: profile.id,
      description: `Generated control ${c} for the benchmark.`,
      score: Math.round(maxScore * percentage) / 100,
      scoreInPercentage: percentage,
      implementationStatus: '',
      lastSynced: `${day}T03:00:00Z`,
    };
  });
  return {
    id: `${azureTenantId}_${day}`,
    azureTenantId,
    activeUserCount: 10 + (index % 400),
    createdDateTime: `${day}T00:00:00Z`,
    currentScore: Math.round(scores.reduce((sum, s) => sum + s.score, 0) * 100) / 100,
    enabledServices: ['HasExchange', 'HasSharePoint'],
    licensedUserCount: 0,
    maxScore: scores.length * 10,
    vendorInformation: {
      provider: 'SecureScore',
      providerVersion: null,
      subProvider: null,
      vendor: 'Microsoft',
    },
    averageComparativeScores: [{ basis: 'AllTenants', averageScore: 50.5 }],
    controlScores: scores,
  };
}
