package io.thinkloop.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package picture of README.md as rules over the compiled main classes. ArchUnit reads bytecode, so a
 * fully qualified name in the middle of a method counts as much as an import: nothing slips past by not
 * being imported. A rule that fails names the offending class, member and line.
 */
class ArchitectureTest {
    private static final String ROOT = "io.thinkloop";
    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(ROOT);
    }

    private static String pkg(String name) {
        return ROOT + "." + name + "..";
    }

    private static void check(ArchRule rule) {
        rule.check(main);
    }

    @Test
    void topLevelPackagesFormNoCycle() {
        check(slices().matching(ROOT + ".(*)..").should().beFreeOfCycles());
    }

    @Test
    void theConversationVocabularyDependsOnlyOnTheJsonMapping() {
        check(classes()
                .that()
                .resideInAPackage(pkg("model"))
                .should()
                .onlyDependOnClassesThat()
                .resideOutsideOfPackage(ROOT + "..")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(pkg("model"), pkg("json")));
    }

    @Test
    void theCodecKnowsNoAgentEngineMcpOrService() {
        check(noClasses()
                .that()
                .resideInAPackage(pkg("codec"))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        pkg("agent"),
                        pkg("engine"),
                        pkg("mcp"),
                        pkg("backend"),
                        pkg("session"),
                        pkg("api"),
                        pkg("integration"),
                        pkg("openai")));
    }

    @Test
    void theTokenizerStandsAlone() {
        check(noClasses()
                .that()
                .resideInAPackage(pkg("tokenizer"))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        pkg("model"),
                        pkg("codec"),
                        pkg("engine"),
                        pkg("backend"),
                        pkg("agent"),
                        pkg("session"),
                        pkg("api"),
                        pkg("mcp")));
    }

    @Test
    void theEngineKnowsNoAgentMcpSessionOrApi() {
        check(noClasses()
                .that()
                .resideInAPackage(pkg("engine"))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        pkg("agent"),
                        pkg("mcp"),
                        pkg("session"),
                        pkg("api"),
                        pkg("backend"),
                        pkg("integration"),
                        pkg("tools"),
                        pkg("bench")));
    }

    @Test
    void backendsKnowNoAgentSessionMcpOrApi() {
        check(noClasses()
                .that()
                .resideInAPackage(pkg("backend"))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        pkg("agent"), pkg("session"), pkg("mcp"), pkg("api"), pkg("integration"), pkg("tools")));
    }

    @Test
    void theMcpLibraryKnowsNoAgentSessionOrApi() {
        check(noClasses()
                .that()
                .resideInAPackage(pkg("mcp"))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        pkg("agent"),
                        pkg("session"),
                        pkg("api"),
                        pkg("integration"),
                        pkg("backend"),
                        pkg("engine"),
                        pkg("codec")));
    }

    @Test
    void theAgentKnowsNoEndpoint() {
        check(noClasses()
                .that()
                .resideInAnyPackage(pkg("agent"), pkg("session"), pkg("tools"))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(pkg("api"), pkg("integration"), pkg("cli")));
    }

    @Test
    void theBenchIsAClientOfThePublicApiAndReadsOnlyTaskFiles() {
        check(classes()
                .that()
                .resideInAPackage(pkg("bench"))
                .should()
                .onlyDependOnClassesThat()
                .resideOutsideOfPackage(ROOT + "..")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(pkg("bench"), pkg("json"), pkg("synth")));
    }

    @Test
    void toolServersKnowOnlyTheToolServerKit() {
        check(classes()
                .that()
                .resideInAPackage(pkg("mcptools"))
                .should()
                .onlyDependOnClassesThat()
                .resideOutsideOfPackage(ROOT + "..")
                .orShould()
                .dependOnClassesThat()
                .resideInAnyPackage(pkg("mcptools"), pkg("tools"), pkg("model"), pkg("json")));
    }

    @Test
    void theTrainerKnowsNoServiceLayer() {
        check(noClasses()
                .that()
                .resideInAPackage(pkg("train"))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        pkg("api"),
                        pkg("integration"),
                        pkg("agent"),
                        pkg("session"),
                        pkg("backend"),
                        pkg("openai"),
                        pkg("cli")));
    }

    @Test
    void onlyTheCommandLineStartsFromTheTop() {
        check(noClasses()
                .that()
                .resideOutsideOfPackages(pkg("cli"))
                .and()
                .doNotHaveFullyQualifiedName(ROOT + ".Main")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(pkg("cli")));
    }
}
