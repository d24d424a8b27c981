import { loadOnce } from '../../internal/load-once.js';
import type * as PseudoLlm from './pseudo-llm.js';

/*
 * The pseudo-LLM that answers test keys, loaded on the first test-key call: an app that only
 * routes real keys neither loads nor bundles its generators (a separate chunk of the package),
 * which keeps the core's start-up bundle small (docs/performance.md, "Bundle size").
 */

const load = loadOnce(() => import('./pseudo-llm.js'));

export type { PseudoCallOptions } from './pseudo-llm.js';

export const pseudoChat: typeof PseudoLlm.pseudoChat = async (request, options) => (await load()).pseudoChat(request, options);

export const pseudoChatStream: typeof PseudoLlm.pseudoChatStream = async (request, options) => (await load()).pseudoChatStream(request, options);

export const pseudoComplete: typeof PseudoLlm.pseudoComplete = async (request, options) => (await load()).pseudoComplete(request, options);

export const pseudoEmbed: typeof PseudoLlm.pseudoEmbed = async (request, options) => (await load()).pseudoEmbed(request, options);
