/**
 * Model backends and the conversation they see: the chat message records shared by the codec, the agent
 * loop and the OpenAI-compatible endpoints, and the {@link io.thinkloop.model.ModelBackend} interface
 * that the embedded engine and remote servers implement.
 */
package io.thinkloop.model;
