package io.thinkloop.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Python's json.dumps(ensure_ascii=False) and repr(float), as printed by CPython 3. */
class PyJsonTest {

    @Test
    void floatsUseReprForm() {
        assertEquals("1e+16", PyJson.floatRepr(1e16));
        assertEquals("1000000000000000.0", PyJson.floatRepr(1e15));
        assertEquals("0.0001", PyJson.floatRepr(0.0001));
        assertEquals("1e-05", PyJson.floatRepr(0.00001));
        assertEquals("5e-324", PyJson.floatRepr(Double.MIN_VALUE));
        assertEquals("1.5e+300", PyJson.floatRepr(1.5e300));
        assertEquals("1.2345678901234568e+17", PyJson.floatRepr(123456789012345678.0));
        assertEquals("0.30000000000000004", PyJson.floatRepr(0.1 + 0.2));
        assertEquals("-0.0", PyJson.floatRepr(-0.0));
        assertEquals("-43.0", PyJson.floatRepr(-43.0));
    }

    @Test
    void roundTripsValuesLikePython() {
        String text = "{\"a\": [1, 2.50, -0, 1E2, 123456789012345678901234567890], \"b\": \"é\\u00e9\\n\\u0001\\\"\", "
                + "\"a\": {\"x\": null, \"y\": true}}";
        // a repeated key keeps its first position and its last value, as in a Python dict
        assertEquals(
                "{\"a\": {\"x\": null, \"y\": true}, \"b\": \"éé\\n\\u0001\\\"\"}", PyJson.dumps(PyJson.loads(text)));
        assertEquals(
                "[1, 2.5, 0, 100.0, 123456789012345678901234567890]",
                PyJson.dumps(PyJson.loads("[1, 2.50, -0, 1E2, 123456789012345678901234567890]")));
    }

    @Test
    void rejectsWhatPythonRejects() {
        for (String bad : new String[] {"{'a': 1}", "[1,]", "01", "\"tab\tinside\"", "{\"a\" 1}", "", "nul"}) {
            assertThrows(CodecException.class, () -> PyJson.loads(bad), bad);
        }
    }
}
