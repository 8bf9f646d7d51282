/**
 * The scalar TypeScript reference of the structured selections (docs/selection.md, "Structured
 * methods"): block, channel, head, row, column and N:M, with error feedback.
 */

export * from './spec.ts';
export * from './score.ts';
export * from './block.ts';
export * from './channel.ts';
export * from './head.ts';
export * from './rows.ts';
export * from './nm.ts';
export * from './step.ts';
