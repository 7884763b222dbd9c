/**
 * Thinkloop: a reactive streaming agent runtime. Packages follow the data flow: {@code session} (clients),
 * {@code agent} (the thinking-in-tool-use loop), {@code model} (backends), {@code codec} (the
 * DeepSeek-V3.2 prompt format and parser), {@code mcp} and {@code tools} (tool calls), {@code engine}
 * (the embedded inference engine), {@code bench} and {@code synth} (measuring agents).
 */
package io.thinkloop;
