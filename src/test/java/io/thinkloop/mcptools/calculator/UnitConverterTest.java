package io.thinkloop.mcptools.calculator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UnitConverterTest {
    private static String convert(String value, String from, String to) {
        return UnitConverter.convert(new BigDecimal(value), from, to).result().toPlainString();
    }

    @ParameterizedTest(name = "{0} {1} = {3} {2}")
    @CsvSource({
        "1, km, mi, 0.621371192237334",
        "1, mi, km, 1.609344",
        "12, in, ft, 1",
        "1, nmi, m, 1852",
        "5, ft, cm, 152.4",
        "1, lb, kg, 0.45359237",
        "16, oz, lb, 1",
        "1, t, kg, 1000",
        "1, st, lb, 14",
        "1, gal, L, 3.785411784",
        "1, L, mL, 1000",
        "1, m3, L, 1000",
        "4, cup, qt, 1",
        "3, tsp, tbsp, 1",
        "100, C, F, 212",
        "32, F, C, 0",
        "-40, C, F, -40",
        "0, K, C, -273.15",
        "0, C, K, 273.15",
        "491.67, R, C, 0",
        "1, h, s, 3600",
        "1, d, h, 24",
        "1, yr, d, 365.2425",
        "90, min, h, 1.5",
        "1, wk, d, 7",
        "100, km/h, m/s, 27.7777777777778",
        "60, mph, km/h, 96.56064",
        "1, kn, km/h, 1.852",
        "1, GiB, MiB, 1024",
        "1, GB, MB, 1000",
        "8, bit, B, 1",
        "1, Mb, kB, 125",
        "1, MB, Mbit, 8",
        "1, KB, B, 1000",
        "1, acre, m2, 4046.8564224",
        "1, ha, m2, 10000",
        "1, km2, ha, 100",
        "1, sq ft, in2, 144",
        "2.5, kilometers, meters, 2500",
        "1, Celsius, kelvin, 274.15",
        "3, FEET, yd, 1",
    })
    void converts(String value, String from, String to, String expected) {
        assertEquals(expected, convert(value, from, to));
    }

    @Test
    void errorsAreClear() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> convert("1", "km", "kg"));
        assertTrue(e.getMessage().contains("length") && e.getMessage().contains("mass"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> convert("1", "furlongs", "m"));
        assertTrue(e.getMessage().contains("Unknown unit 'furlongs'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> convert("1", "mb", "B"));
        assertTrue(
                e.getMessage().contains("ambiguous")
                        && e.getMessage().contains("MB")
                        && e.getMessage().contains("Mbit"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> convert("-1", "K", "C"));
        assertTrue(e.getMessage().contains("absolute zero"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> convert("-500", "F", "C"));
        assertTrue(e.getMessage().contains("absolute zero"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> convert("1e400", "m", "km"));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> convert("1", " ", "km"));
        assertTrue(e.getMessage().contains("No unit"), e.getMessage());
    }

    @Test
    void everyDimensionHasItsBaseUnitAndNamesAreUnambiguousExactly() {
        for (UnitConverter.Dimension d : UnitConverter.Dimension.values()) {
            UnitConverter.Unit base = UnitConverter.unit(d.baseUnit);
            assertEquals(d, base.dimension());
            assertTrue(UnitConverter.units(d).size() >= 4, d.name());
            for (UnitConverter.Unit u : UnitConverter.units(d)) {
                assertEquals(u, UnitConverter.unit(u.symbol()), u.symbol());
                assertEquals(
                        "1",
                        UnitConverter.convert(BigDecimal.ONE, u.symbol(), u.symbol())
                                .result()
                                .toPlainString(),
                        u.symbol());
            }
        }
    }
}
