/**
 * The prompt as tokens: the chat template's text around the user message (resolved once per model through
 * node-llama-cpp's chat wrappers), then the prompt's prefix (through the note) and suffix (the concept) tokenized
 * separately, so every concept of a note shares the prefix token for token (what note-major reuses).
 */
import { LlamaText, resolveChatWrapper, SpecialToken, type ChatWrapper, type LlamaModel, type Token } from 'node-llama-cpp';

/** The chat-template text around the user message; empty `after` for models without a template. */
export interface PromptFrame {
  kind: 'chat-template' | 'plain';
  wrapperName: string | null;
  before: LlamaText;
  after: LlamaText;
}

const USER_MESSAGE_MARKER = 'MEDBENCHUSERMESSAGEMARKER';

export function resolvePromptFrame(model: LlamaModel, wrapper?: ChatWrapper): PromptFrame {
  const bos = model.tokens.shouldPrependBosToken && model.tokens.bos !== null ? [new SpecialToken('BOS')] : [];
  if (typeof model.fileInfo.metadata.tokenizer?.chat_template !== 'string') {
    return { kind: 'plain', wrapperName: null, before: LlamaText(bos), after: LlamaText([]) };
  }
  const chatWrapper = wrapper ?? resolveChatWrapper(model);
  const { contextText } = chatWrapper.generateContextState({
    chatHistory: [
      { type: 'user', text: USER_MESSAGE_MARKER },
      { type: 'model', response: [] },
    ],
  });
  const values = contextText.values;
  const index = values.findIndex((value) => typeof value === 'string' && value.includes(USER_MESSAGE_MARKER));
  const holder = values[index];
  if (typeof holder !== 'string' || holder.indexOf(USER_MESSAGE_MARKER) !== holder.lastIndexOf(USER_MESSAGE_MARKER)) {
    throw new Error(`The chat template of this model (${chatWrapper.wrapperName}) does not place the user message where it can be found`);
  }
  const at = holder.indexOf(USER_MESSAGE_MARKER);
  return {
    kind: 'chat-template',
    wrapperName: chatWrapper.wrapperName,
    before: LlamaText([...values.slice(0, index), holder.slice(0, at)]),
    after: LlamaText([holder.slice(at + USER_MESSAGE_MARKER.length), ...values.slice(index + 1)]),
  };
}

export interface PromptTokens {
  tokens: Token[];
  /** Tokens of the frame head + prompt prefix (through the note): shared by every concept of the note. */
  prefixLength: number;
}

/** Prefix and suffix are tokenized separately so the prefix tokens are identical whatever the concept. */
export function tokenizePrompt(model: LlamaModel, frame: PromptFrame, prompt: { prefix: string; suffix: string }): PromptTokens {
  const prefixTokens = LlamaText([frame.before, prompt.prefix]).tokenize(model.tokenizer);
  const suffixTokens = LlamaText([prompt.suffix, frame.after]).tokenize(model.tokenizer, 'trimLeadingSpace');
  return { tokens: [...prefixTokens, ...suffixTokens], prefixLength: prefixTokens.length };
}
