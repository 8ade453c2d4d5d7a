import type { Rating } from '../rating/rating.types.js';
import { terminalText } from '../common/cli/terminal-text.js';
import type { ControlWarning, ListedWarnings } from '../secure-scores/catalog/control-warnings.js';

/** How many improvements the worksheet lists: the ones a broker would show first. */
const TOP_IMPROVEMENTS = 5;

/**
 * A rating as a plain-text worksheet for a terminal: the result, why, which controls cost what
 * (contributions with their gap, largest gap first, as the rating orders them) and the best fixes.
 */
export function renderRatingWorksheet(rating: Rating & ListedWarnings): string {
  const lines = [
    `Rating of snapshot ${rating.snapshot.id ?? '(no id)'} taken ${rating.snapshot.createdDateTime}`,
    `Table   ${rating.table.name} ${rating.table.version} (sha256 ${rating.table.sha256})`,
    `As of   ${rating.asOf}`,
    '',
    `Index     ${rating.index ?? '-'}`,
    `Tier      ${rating.tier ?? '-'}`,
    `Factor    ${rating.factor ?? '-'}`,
    `Decision  ${rating.decision}`,
    `Reasons   ${rating.reasons.length > 0 ? rating.reasons.join(', ') : 'none'}`,
    `Missing   ${rating.missingControls.length > 0 ? rating.missingControls.join(', ') : 'none'}`,
    ...warnings(rating.warnings, rating.warningsOmitted ?? 0),
    '',
    'Contributions',
    ...table(
      ['control', 'weight', 'adoption', 'contribution', 'gap'],
      rating.contributions.map((c) => [c.control, c.weight, c.adoption, c.contribution, c.gap]),
    ),
    '',
    'Top improvements',
    ...improvements(rating),
  ];
  return `${lines.join('\n')}\n`;
}

function warnings(list: readonly ControlWarning[], omitted: number): string[] {
  if (list.length === 0) return [];
  const more = omitted > 0 ? [`  and ${omitted} more`] : [];
  return ['', 'Warnings', ...list.map((w) => `  ${terminalText(w.control)}: ${w.detail}`), ...more];
}

function improvements(rating: Rating): string[] {
  if (rating.improvements.length === 0) return ['  none: every weighted control is fully adopted'];
  return rating.improvements.slice(0, TOP_IMPROVEMENTS).map((i) => {
    const tier = i.tier === rating.tier ? '' : `, tier ${rating.tier ?? '-'} → ${i.tier ?? '-'}`;
    const decision = i.decision === rating.decision ? '' : `, ${rating.decision} → ${i.decision}`;
    const index = `index ${rating.index ?? '-'} → ${i.index ?? '-'}`;
    return `  fix ${i.control}: factor ${rating.factor ?? '-'} → ${i.factor ?? '-'}${tier}${decision} (${index})`;
  });
}

/** Left-aligned first column, right-aligned numbers. */
function table(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => row[col].length)));
  return all.map(
    (row) =>
      '  ' +
      row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])))
        .join('  '),
  );
}
