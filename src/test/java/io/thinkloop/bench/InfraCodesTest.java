package io.thinkloop.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.thinkloop.model.ErrorCode;
import org.junit.jupiter.api.Test;

/**
 * The bench is a client of the public API, so it names error codes as strings (docs/protocol.md); this keeps them
 * in the service's vocabulary, so a renamed or removed code cannot leave a dead one behind.
 */
class InfraCodesTest {

    @Test
    void everyInfrastructureCodeIsOneTheServiceSends() {
        for (String code : ServiceClient.INFRA_CODES) {
            assertTrue(ErrorCode.fromWire(code).isPresent(), "the service never sends " + code);
        }
    }

    @Test
    void everyCodeAModelBackendRaisesCountsAsInfrastructure() {
        for (ErrorCode code : ErrorCode.values()) {
            if (code.ordinal() >= ErrorCode.NOT_CONFIGURED.ordinal()) { // the enum lists the backends' codes last
                assertTrue(
                        ServiceClient.INFRA_CODES.contains(code.wireName()),
                        code + " is the model server's fault, not the agent's");
            }
        }
    }
}
