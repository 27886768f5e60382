import {
  RequestValidationError, anthropicRequestToChat, chatResponseToAnthropic, createAnthropicStreamTranslator,
  type AnthropicStreamEvent, type ChatRequest,
} from '../providers';
import { badRequest, errorBody } from '../http';
import { handleChat, type ChatEdge } from './chat-flow';
import type { Exchange } from './exchange';
import type { DataPlaneServices } from './services';
import { eventFrame, writeFrame } from './sse';

function toChatRequest(body: Record<string, unknown>): ChatRequest {
  try {
    return anthropicRequestToChat(body);
  } catch (err) {
    if (err instanceof RequestValidationError) throw badRequest(err.message, err.param);
    throw err;
  }
}

const ANTHROPIC_MESSAGES: ChatEdge = {
  scope: 'messages',
  parse: toChatRequest,
  streamWriter(ex, _request, requestedModel) {
    const translator = createAnthropicStreamTranslator({ requestedModel });
    const writeEvents = async (events: AnthropicStreamEvent[]): Promise<void> => {
      for (const event of events) await writeFrame(ex.res, eventFrame(event.type, JSON.stringify(event)));
    };
    return {
      write: (chunk) => writeEvents(translator.push(chunk)),
      end: () => writeEvents(translator.finish()),
      error: (err) => writeFrame(ex.res, eventFrame('error', JSON.stringify(errorBody(err, 'anthropic')))),
    };
  },
  render: (response, requestedModel) => chatResponseToAnthropic(response, requestedModel),
};

/** Anthropic's Messages API on top of the canonical pipeline: any catalog endpoint can serve it. */
export const handleMessages = (ex: Exchange, services: DataPlaneServices): Promise<void> => handleChat(ex, services, ANTHROPIC_MESSAGES);
