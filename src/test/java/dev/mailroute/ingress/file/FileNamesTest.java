package dev.mailroute.ingress.file;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The names mailroute keeps files under are names every platform takes, Windows included. */
class FileNamesTest {

    @Test
    void charactersWindowsRefusesAreReplaced() {
        assertThat(FileNames.safe("a<b>c:d\"e|f?g*h.json", 200)).isEqualTo("a_b_c_d_e_f_g_h.json");
    }

    @Test
    void reservedDeviceNamesGetALeadingUnderscoreWhateverTheirExtension() {
        assertThat(FileNames.safe("CON.json", 200)).isEqualTo("_CON.json");
        assertThat(FileNames.safe("nul.merge.json", 200)).isEqualTo("_nul.merge.json");
        assertThat(FileNames.safe("com7.eml", 200)).isEqualTo("_com7.eml");
        assertThat(FileNames.safe("console.json", 200)).isEqualTo("console.json");
    }

    @Test
    void aTrailingDotOrSpaceIsReplaced() {
        assertThat(FileNames.safe("report.json.", 200)).isEqualTo("report.json_");
        assertThat(FileNames.safe("report.eml ", 200)).isEqualTo("report.eml_");
    }
}
