export * from './config';
export * from './sigma';
export { openRuleSet, openPipelines, rulePaths, sigmaDir, pipelinesDir } from './rules';
export * from './service/rule-policy';
export { PolicyFilter, type PolicyVerdict } from './service/policy-filter';
export {
  AnalyzerService,
  ANALYZED_DATASETS,
  type AnalyzerServiceOptions,
  type AnalyzerStats,
} from './service/analyzer-service';
export { hunt, type HuntOptions, type HuntResult } from './hunt';
export { convertRule, ConversionError, type Target } from './sigma/convert';
export * from './mlps';
