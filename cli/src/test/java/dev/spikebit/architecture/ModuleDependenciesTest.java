package dev.spikebit.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The dependency rules of docs/architecture.md, checked on the compiled main classes of every
 * module (the cli's tests see them all): the runtime depends on nothing of ours (and on no library:
 * only the JDK), data on nothing of ours, core on the runtime alone (it knows no quant, no data, no
 * train and no cli), quant on core and the runtime, train on core, data, quant and the runtime, and
 * nothing but the cli on the cli. Spark is the spark module's alone: the cli reaches it through a
 * {@link java.util.ServiceLoader} and names none of it.
 */
@AnalyzeClasses(packages = "dev.spikebit", importOptions = ImportOption.DoNotIncludeTests.class)
class ModuleDependenciesTest {
    /** The packages of every module but spark (and bench, which only measures). */
    private static final String[] NOT_SPARK = {
        "dev.spikebit.runtime..",
        "dev.spikebit.data..",
        "dev.spikebit.core..",
        "dev.spikebit.quant..",
        "dev.spikebit.train..",
        "dev.spikebit.interop..",
        "dev.spikebit.cli.."
    };

    @ArchTest
    static final ArchRule runtimeDependsOnTheJdkAlone = classes()
            .that()
            .resideInAPackage("dev.spikebit.runtime..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.spikebit.runtime..", "java..", "jdk.incubator.vector..")
            .as("the runtime depends on nothing but the JDK");

    @ArchTest
    static final ArchRule dataDependsOnNothingOfOurs = noClasses()
            .that()
            .resideInAPackage("dev.spikebit.data..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.spikebit.core..",
                    "dev.spikebit.quant..",
                    "dev.spikebit.runtime..",
                    "dev.spikebit.train..",
                    "dev.spikebit.cli..")
            .as("data depends on nothing of ours");

    @ArchTest
    static final ArchRule coreKnowsNoQuantDataOrCli = noClasses()
            .that()
            .resideInAPackage("dev.spikebit.core..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                    "dev.spikebit.quant..", "dev.spikebit.data..", "dev.spikebit.train..", "dev.spikebit.cli..")
            .as("core knows no quant, no data, no train and no cli");

    @ArchTest
    static final ArchRule quantKnowsNoDataTrainOrCli = noClasses()
            .that()
            .resideInAPackage("dev.spikebit.quant..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.spikebit.data..", "dev.spikebit.train..", "dev.spikebit.cli..")
            .as("quant knows no data, no train and no cli");

    @ArchTest
    static final ArchRule trainKnowsNoCli = noClasses()
            .that()
            .resideInAPackage("dev.spikebit.train..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.spikebit.cli..")
            .as("the training library knows no cli");

    @ArchTest
    static final ArchRule trainIsALibrary = noClasses()
            .that()
            .resideInAPackage("dev.spikebit.train..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("picocli..", "me.tongfei.progressbar..", "org.knowm.xchart..")
            .as("the training library uses no command-line parser, progress bar or charts");

    @ArchTest
    static final ArchRule sparkStaysInTheSparkModule = noClasses()
            .that()
            .resideInAnyPackage(NOT_SPARK)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.apache.spark..", "org.apache.hadoop..", "scala..", "dev.spikebit.spark..")
            .as("Spark (and Hadoop and Scala) are used by the spark module alone, which the cli finds through "
                    + "a ServiceLoader");

    @ArchTest
    static final ArchRule oneJsonReader = noClasses()
            .that()
            .resideInAnyPackage(NOT_SPARK)
            .should()
            .dependOnClassesThat()
            .resideInAPackage("com.fasterxml.jackson..")
            .as("the runtime's io.Json is the one JSON reader and writer (only Spark brings its own Jackson)");
}
