// Router
export { createRouter } from './router/create-router.js';
export type { Router, ChatCompletions, Embeddings } from './router/create-router.js';
export type { RouterOptions, ResolvedRouterOptions, KeyOptions, RetryOptions, RequestLimits, SimulationLimits, HealthOptions } from './router/options.js';
export type { RequestOptions } from './router/chat-completions.js';
export type { Explanation } from './router/explain.js';
export type { ExplainCandidate } from './router/plan.js';
export type { FetchFunction } from './router/fetch-handler.js';
export type { ModelListPromise } from './router/models-list.js';

// Responses API
export type { Responses } from './router/create-router.js';
export type { ResponsesOptions } from './responses/options.js';
export { memoryResponseStore } from './responses/response-store.js';
export type { ResponseStore, StoredResponse, MemoryResponseStoreOptions } from './responses/response-store.js';
export { ResponseStream } from './responses/response-stream.js';
export type {
  ResponseCreateParams,
  ResponseObject,
  ResponseItem,
  ResponseUsage,
  ResponseStreamEvent,
  OutputItem,
  OutputMessage,
  OutputText,
  FunctionCallItem,
} from './responses/wire.js';

// Providers
export { openaiCompatible } from './providers/openai-compatible.js';
export type { OpenAICompatibleDialect, OpenAICompatibleOptions } from './providers/openai-compatible.js';
export { openaiClient } from './providers/openai-client.js';
export type { OpenAIClientOptions } from './providers/openai-client.js';
export type { OpenAIClientLike, OpenAICreateMethod, OpenAIClientRequestOptions } from './providers/openai-client-types.js';
export type {
  Provider,
  CallOptions,
  ChatResult,
  ChatStreamResult,
  CompleteResult,
  EmbedResult,
  JurisdictionFacts,
  ModelOffer,
  ModelPrice,
  Capability,
} from './providers/types.js';

// Built-in catalogue: one preset per provider deployment, with facts, models and dated prices
export { mistral } from './catalog/presets/mistral.js';
export { mistralEU } from './catalog/presets/mistral-eu.js';
export { scaleway } from './catalog/presets/scaleway.js';
export { ovhcloud } from './catalog/presets/ovhcloud.js';
export { ionos } from './catalog/presets/ionos.js';
export { stackit } from './catalog/presets/stackit.js';
export { berget } from './catalog/presets/berget.js';
export { regolo } from './catalog/presets/regolo.js';
export { tSystems } from './catalog/presets/t-systems.js';
export { evroc } from './catalog/presets/evroc.js';
export { cloudferro } from './catalog/presets/cloudferro.js';
export { infomaniak } from './catalog/presets/infomaniak.js';
export { openai } from './catalog/presets/openai.js';
export { azureOpenAI } from './catalog/presets/azure-openai.js';
export { anthropic } from './catalog/presets/anthropic.js';
export { groq } from './catalog/presets/groq.js';
export { together } from './catalog/presets/together.js';
export { deepinfra } from './catalog/presets/deepinfra.js';
export { fireworks } from './catalog/presets/fireworks.js';
export { cerebras } from './catalog/presets/cerebras.js';
export { nebius } from './catalog/presets/nebius.js';
export { bedrock } from './catalog/presets/bedrock.js';
export { vertex } from './catalog/presets/vertex.js';
export { gemini } from './catalog/presets/gemini.js';
export { defaultCatalog } from './catalog/default-catalog.js';
export type { PresetOptions, PriceOverride } from './catalog/presets/preset.js';
export type { AzureOpenAIOptions } from './catalog/presets/azure-openai.js';
export type { InfomaniakOptions } from './catalog/presets/infomaniak.js';
export type { AnthropicOptions } from './catalog/presets/anthropic.js';
export type { BedrockOptions } from './catalog/presets/bedrock.js';
export type { AwsCredentialSource } from './providers/bedrock/credentials.js';
export type { AwsCredentials } from './providers/bedrock/sign.js';
export type { VertexOptions } from './catalog/presets/vertex.js';
export type { AccessTokenSource, AccessTokenResult } from './providers/vertex/access-token.js';
export type { DefaultCatalogOptions } from './catalog/default-catalog.js';

// Jurisdiction
export { presetPolicies } from './policy/presets.js';
export { euCountries, eeaCountries } from './policy/countries.js';
export type { JurisdictionPolicy } from './policy/types.js';

// Strategies
export { builtInStrategies } from './strategies/registry.js';
export { balancedWeights } from './strategies/balanced.js';
export type { Strategy, StrategyFunction, StrategyContext, RankingInput, Ranked } from './strategies/types.js';

// Health
export { memoryHealthStore } from './health/health-store.js';
export type { HealthStore, HealthRecord } from './health/health-store.js';
export type { LatencyEstimate, LatencyEstimateOptions } from './health/latency-estimate.js';
export type { CompletionEstimate, CompletionEstimateOptions } from './health/completion-estimate.js';
export type { ExplorationOptions } from './strategies/exploration.js';
export type { DeploymentHealth } from './health/health-tracker.js';

// Observability
export type { Logger } from './logging/logger.js';
export type { TelemetryOptions } from './telemetry/telemetry-options.js';
export type { TracerLike, MeterLike, SpanLike } from './telemetry/otel-api.js';

// Pricing
export { defaultFx } from './pricing/currency.js';
export type { FxTable } from './pricing/currency.js';

// Audit
export { memoryAudit } from './audit/memory-audit.js';
export { callbackAudit } from './audit/callback-audit.js';
export { verifyAudit, createAuditVerifier } from './audit/verify-audit.js';
export { exportAudit, auditFilter } from './audit/export-audit.js';
export { auditCsvColumns } from './audit/csv-columns.js';
export { summariseExclusions, auditExclusionExamples } from './audit/exclusion-summary.js';
export { contentHash } from './audit/hash-chain.js';
export { policyHash } from './audit/policy-hash.js';
export { AuditError } from './audit/audit-error.js';
export type { MemoryAudit, MemoryAuditOptions } from './audit/memory-audit.js';
export type { AuditVerification, AuditVerifier, VerifyAuditOptions } from './audit/verify-audit.js';
export type { AuditExportOptions, AuditFilter } from './audit/export-audit.js';
export type { AuditCsvColumn } from './audit/csv-columns.js';
export type { AuditFailure } from './audit/audit-error.js';
export type {
  AuditRecord,
  AuditRecordBody,
  AuditSink,
  AuditOutcome,
  AuditDropped,
  AuditCandidate,
  AuditContent,
  AuditContentMode,
  AuditCandidatesMode,
  AuditExclusion,
  AuditCompletion,
  AuditOptions,
  ResolvedAuditOptions,
  AuditErrorHandler,
} from './audit/types.js';

// Streaming
export { ChatCompletionStream } from './streaming/chat-completion-stream.js';

// Errors
export {
  RouterError,
  InvalidRequestError,
  ModelNotFoundError,
  InvalidApiKeyError,
  PolicyViolationError,
  NoEligibleProviderError,
  AllProvidersFailedError,
  AbortedError,
} from './errors.js';
export { BudgetExceededError, StoreUnavailableError } from './errors.js';
export type { KeyBudget, KeyUsage } from './budgets/budget-guard.js';
export type { BudgetPeriod } from './budgets/budget-period.js';
export type { RouterErrorCode, RouterErrorOptions, ErrorEnvelope, Exclusion, Attempt } from './errors.js';

// Wire shapes
export type { ChatRequest, ChatMessage, RouteOptions, SimulateOptions } from './wire/chat-request.js';
export type {
  ChatCompletionCreateParams,
  ChatCompletionCreateParamsBase,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionTool,
  ChatCompletionFunctionTool,
  ChatCompletionCustomTool,
  ChatCompletionToolChoiceOption,
  ChatCompletionResponseFormat,
  JsonSchemaObject,
} from './wire/chat-params.js';
export type {
  ChatCompletionMessageParam,
  ChatCompletionSystemMessageParam,
  ChatCompletionDeveloperMessageParam,
  ChatCompletionUserMessageParam,
  ChatCompletionAssistantMessageParam,
  ChatCompletionToolMessageParam,
  ChatCompletionFunctionMessageParam,
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionContentPartImage,
  ChatCompletionContentPartInputAudio,
  ChatCompletionContentPartFile,
  ChatCompletionContentPartRefusal,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageCustomToolCall,
  PromptCacheBreakpoint,
} from './wire/chat-message-params.js';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessage,
  ChatCompletionChoice,
  ChoiceLogprobs,
  TokenLogprob,
  UrlCitation,
  ToolCall,
  Usage,
  TokenUsage,
  Route,
  FinishReason,
} from './wire/chat-response.js';
export type {
  EmbeddingCreateParams,
  EmbeddingCreateParamsFloat,
  EmbeddingCreateParamsBase64,
  EmbeddingsResponse,
  EmbeddingsUsage,
  Embedding,
} from './wire/embeddings.js';
export type { CompletionCreateParams, Completion, CompletionChoice, CompletionLogprobs } from './wire/completions.js';
export type { ModelEntry, ModelList } from './wire/models.js';
