package io.thinkloop.tools;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Whether a call of a tool runs at once ({@code auto}) or waits for the client's approval ({@code ask}).
 * The tool's own {@link Tool#approval()} is the default; {@code thinkloop.tools.approval."NAME"=auto|ask}
 * overrides it per tool name, and {@code thinkloop.tools.approval-default} (unset by default) overrides
 * every tool without a per-name entry.
 */
@ApplicationScoped
public class ApprovalPolicy {

    public Tool.Approval approvalFor(Tool tool) {
        var config = ConfigProvider.getConfig();
        String name = tool.spec().name();
        var perTool = config.getOptionalValue("thinkloop.tools.approval.\"" + name + "\"", String.class)
                .or(() -> config.getOptionalValue("thinkloop.tools.approval." + name, String.class))
                .or(() -> config.getOptionalValue("thinkloop.tools.approval-default", String.class));
        return perTool.map(v -> Tool.Approval.valueOf(v.trim().toUpperCase(Locale.ROOT)))
                .orElse(tool.approval());
    }
}
