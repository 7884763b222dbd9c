/** The {@code ./thinkloop} command line: one picocli command class per subcommand. */
package io.thinkloop.cli;
