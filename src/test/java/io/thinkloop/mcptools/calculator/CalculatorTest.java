package io.thinkloop.mcptools.calculator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalculatorTest {
    private static String eval(String expression) {
        return Calculator.evaluate(expression).text();
    }

    private static String fails(String expression) {
        return assertThrows(CalculationException.class, () -> Calculator.evaluate(expression), expression)
                .getMessage();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1+2*3 | 7",
                "(1+2)*3 | 9",
                "0.1+0.2 | 0.3",
                "2^10 | 1024",
                "2^-1 | 0.5",
                "-2^2 | -4",
                "(-2)^2 | 4",
                "2^3^2 | 512",
                "10/4 | 2.5",
                "7 % 3 | 1",
                "-7 % 3 | -1",
                "7.5 % 2 | 1.5",
                "sqrt(16) | 4",
                "abs(-3.5) | 3.5",
                "min(3, 1, 2) | 1",
                "max(3, 1, 2) | 3",
                "round(2.5) | 3",
                "round(-2.5) | -3",
                "round(3.14159, 2) | 3.14",
                "round(1234, -2) | 1200",
                "floor(-1.5) | -2",
                "ceil(1.2) | 2",
                "log(1000) | 3",
                "log(8, 2) | 3",
                "ln(e) | 1",
                "exp(0) | 1",
                "sin(0) | 0",
                "cos(pi) | -1",
                "sin(pi) | 0",
                "tan(pi/4) | 1",
                "2**3 | 8",
                "1e3 | 1000",
                "1.5E-3 | 0.0015",
                ".5 + .25 | 0.75",
                "--3 | 3",
                "+4 | 4",
                "3 × 4 ÷ 2 − 1 | 5",
                "1 - 2 - 3 | -4",
                "100/10/5 | 2",
                "8^(1/3) | 2",
                "2^0.5 | 1.414213562373095048801688724209698",
                "2.25^0.5 | 1.5",
                "2^1.5 | 2.82842712474619",
                "0^0 | 1",
                "(-1)^1000001 | -1",
                "0.5^100000 | 0",
                "10^9999 | 1E+9999",
                "exp(1000) | 1.97007111401705E+434",
                "exp(-1000) | 5.07595889754946E-435",
                "123456789012345678901234567890 * 10 | 1234567890123456789012345678900",
                "99999999999999999999 * 99999999999999999999 | 9999999999999999999800000000000000000000",
                "99999999999999999 * 99999999999999999 | 9999999999999999800000000000000001",
            })
    void evaluates(String expression, String expected) {
        assertEquals(expected, eval(expression));
    }

    @Test
    void exactnessIsReported() {
        assertTrue(Calculator.evaluate("0.1 + 0.2").exact());
        assertTrue(Calculator.evaluate("1/8").exact());
        assertTrue(Calculator.evaluate("sqrt(2.25)").exact());
        Calculator.Value third = Calculator.evaluate("1/3");
        assertFalse(third.exact());
        assertEquals("0.3333333333333333333333333333333333", third.text());
        Calculator.Value root = Calculator.evaluate("sqrt(2)");
        assertFalse(root.exact());
        assertEquals("1.414213562373095048801688724209698", root.text());
        assertFalse(Calculator.evaluate("pi").exact());
        assertEquals("3.141592653589793238462643383279503", eval("pi"));
        assertFalse(Calculator.evaluate("3^100").exact(), "3^100 has 48 digits: rounded to 34");
        assertTrue(Calculator.evaluate("2^64").exact());
        assertEquals("18446744073709551616", eval("2^64"));
    }

    @Test
    void powersOfNumbersCloseToOneKeepTheirDigits() {
        // (1 + 1e-10)^(10^12) = e^(10^12 ln(1 + 1e-10)) = 2.68811712837554977...e43
        double v = Calculator.evaluate("1.0000000001^(10^12)").value().doubleValue();
        assertEquals(2.68811712837554977e43, v, 2.68811712837554977e43 * 1e-13);
        assertFalse(Calculator.evaluate("99999999999999999999 * 99999999999999999999")
                .exact());
    }

    @Test
    void errorsNameTheProblemAndPlace() {
        assertTrue(fails("1/0").contains("Division by zero at position 2"));
        assertTrue(fails("5 % 0").contains("Remainder by zero"));
        assertTrue(fails("sqrt(-1)").contains("negative"));
        assertTrue(fails("ln(0)").contains("not positive"));
        assertTrue(fails("log(8, 1)").contains("base"));
        assertTrue(fails("foo(1)").contains("Unknown function 'foo'"));
        assertTrue(fails("x + 1").contains("Unknown name 'x' (constants: pi, e)"));
        assertTrue(fails("2 +").contains("ends too early"));
        assertTrue(fails("(1 + 2").contains("Missing ')'"));
        assertTrue(fails("1 + 2)").contains("Unexpected ')' at position 6"));
        assertTrue(fails("").contains("Empty"));
        assertTrue(fails("   ").contains("Empty"));
        assertTrue(fails("1 $ 2").contains("Unexpected character '$' at position 3"));
        assertTrue(fails("(-8)^(1/3)").contains("not a real number"));
        assertTrue(fails("round(1, 2, 3)").contains("takes 1 or 2 arguments"));
        assertTrue(fails("round(1, 0.5)").contains("whole digits"));
        assertTrue(fails("sqrt").contains("needs arguments"));
        assertTrue(fails("min()").contains("at least one"));
        assertTrue(fails("1 2").contains("Unexpected '2'"));
        assertTrue(fails("0^-1").contains("Division by zero"));
        assertTrue(fails("2e").contains("Unexpected 'e'"));
        assertTrue(fails(null).contains("No expression"));
    }

    @Test
    void hostileInputFailsFastWithoutExhaustingAnything() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            assertTrue(fails("10^10^10").contains("too large"));
            assertTrue(fails("9^9^9^9").contains("too large"));
            assertTrue(fails("2^100000").contains("too large"));
            assertTrue(fails("(1+1e-20)^(10^25)").contains("too large"));
            assertTrue(fails("10^10000*10").contains("too large"));
            assertTrue(fails("exp(1e6)").contains("too large"));
            assertTrue(fails("1e99999999999").contains("out of range"));
            assertTrue(fails("1e20000").contains("out of range"));
            assertTrue(fails("(".repeat(2000) + "1" + ")".repeat(2000)).contains("nests too deeply"));
            assertTrue(fails("-".repeat(4000) + "1").contains("nests too deeply"));
            assertTrue(fails("2^".repeat(1000) + "2").contains("nests too deeply"));
            assertTrue(fails("sqrt(".repeat(500) + "2" + ")".repeat(500)).contains("nests too deeply"));
            assertTrue(fails("1+".repeat(500_000) + "1").contains("too long"));
            assertTrue(fails("9".repeat(5000)).contains("too long"));
            assertEquals("2000", eval("1" + "+1".repeat(1999)));
            assertEquals("0", eval("1e-20000"), "below the range flushes to zero");
            assertTrue(fails("sin(1e300)").contains("no meaningful digits"));
            // Repeated growth stays bounded by the magnitude limit and the precision.
            assertTrue(fails("(((((((10^999)^2)^2)^2)^2)^2)^2)").contains("too large"));
            assertEquals("1E+9999", eval("10^9999 % 7 * 0 + 10^9999"));
        });
    }
}
