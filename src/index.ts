// Router
export { createRouter } from './router/create-router.js';
export type {
  Router,
  ChatCompletions,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionCreateParamsNonStreaming,
} from './router/create-router.js';
export type { RouterOptions, ResolvedRouterOptions, KeyOptions, RetryOptions, HealthOptions } from './router/options.js';
export type { RequestOptions } from './router/chat-completions.js';
export type { Explanation } from './router/explain.js';
export type { ExplainCandidate } from './router/plan.js';
export type { FetchFunction } from './router/fetch-handler.js';
export type { ModelListPromise } from './router/models-list.js';

// Providers
export { openaiCompatible } from './providers/openai-compatible.js';
export type { OpenAICompatibleOptions } from './providers/openai-compatible.js';
export type {
  Provider,
  CallOptions,
  ChatResult,
  ChatStreamResult,
  EmbedResult,
  JurisdictionFacts,
  ModelOffer,
  Capability,
} from './providers/types.js';

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
export type { DeploymentHealth } from './health/health-tracker.js';

// Pricing
export { defaultFx } from './pricing/currency.js';
export type { FxTable } from './pricing/currency.js';

// Audit
export { memoryAudit } from './audit/memory-audit.js';
export { callbackAudit } from './audit/callback-audit.js';
export type { MemoryAudit, MemoryAuditOptions } from './audit/memory-audit.js';
export type { AuditRecord, AuditSink, AuditOutcome, AuditCandidate } from './audit/types.js';

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
export type { RouterErrorCode, RouterErrorOptions, ErrorEnvelope, Exclusion, Attempt } from './errors.js';

// Wire shapes
export type { ChatCompletionCreateParams, ChatRequest, ChatMessage, RouteOptions, SimulateOptions } from './wire/chat-request.js';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessage,
  ToolCall,
  Usage,
  TokenUsage,
  Route,
  FinishReason,
} from './wire/chat-response.js';
export type { EmbeddingCreateParams, EmbeddingsResponse, Embedding } from './wire/embeddings.js';
export type { ModelEntry, ModelList } from './wire/models.js';
