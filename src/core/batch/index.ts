// Batch runs over the vendors' Batch APIs (half price, results within 24 hours).
export * from './types';
export { compileTemplate, renderTemplate, lookupValue, stringifyValue, isVariable, type CompiledTemplate, type TemplatePart, type TemplateMessage, type RenderResult } from '../prompt/template';
export { readDataset, datasetFormatOf, type DatasetFormat, type DatasetRow, type DatasetSource } from './dataset';
export {
  BatchError,
  BatchJob,
  BatchService,
  BATCH_STATE_KIND,
  customIdOf,
  parseBatchState,
  rowOf,
  summarize,
  type BatchServiceOptions,
  type BatchSubmitInput,
  type BatchSubmitOptions,
  type BatchWaitOptions,
} from './job';
export { createVendorApi, type VendorBatchApi, type VendorRowResult, type EncodedRequest } from './vendors';
export { exportResults, exportFormatOf, rowToJson, rowToCsv, csvField, CSV_COLUMNS, type ExportFormat } from './export';
