/**
 * The calculator tool server: a sandboxed decimal expression evaluator ({@link
 * io.thinkloop.mcptools.calculator.Calculator}) with hard limits on length, nesting, magnitude and time, a
 * unit converter ({@link io.thinkloop.mcptools.calculator.UnitConverter}) and the tools that serve them
 * ({@link io.thinkloop.mcptools.calculator.CalculatorServer}).
 */
package io.thinkloop.mcptools.calculator;
