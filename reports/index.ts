/** The reports' public API: every rendering of a run folder, from its files alone. */
export { computeCaseStats, type CaseStats, type FaultWindow } from './case-stats.ts';
export { compareRuns, DEFAULT_TOLERANCE, type Comparison, type CompareReport, type Tolerance } from './compare.ts';
export { renderCompareHtml } from './compare-html.ts';
export { renderCompareText } from './compare-text.ts';
export { familyViews, type FamilyView } from './family-views.ts';
export { knownFigures } from './figures.ts';
export { renderJunit } from './junit.ts';
export { renderReportHtml } from './report-html.ts';
export { resultsJsonSchema, resultsSchema, type Results, type ThresholdOutcome } from './results-schema.ts';
export { loadRun, RunFolderError, type RunModel } from './run-model.ts';
export { renderSummaryMd } from './summary-md.ts';
export { evaluateThresholds, parseThreshold, unitOf } from './thresholds.ts';
export { writeReport, type WrittenReport } from './write-report.ts';
