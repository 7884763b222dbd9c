/**
 * Thinkloop: a reactive streaming agent runtime. Packages follow the data flow, each using only the ones
 * below it (README's package table; {@code ArchitectureTest} enforces it): {@code json} and {@code model}
 * (the conversation vocabulary) at the bottom; {@code tokenizer}, {@code codec} and {@code openai} (wire
 * formats); {@code engine} and {@code backend} (models); {@code tools}, {@code mcp} and {@code session};
 * {@code agent} (the thinking-in-tool-use loop); {@code integration} (the service's wiring) and {@code api}
 * (endpoints) on top. Beside the service: {@code synth}, {@code bench}, the tool servers under
 * {@code mcptools} and the {@code cli}.
 */
package io.thinkloop;
