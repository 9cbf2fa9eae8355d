package dev.mailroute.diagnostics;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code sc query} output as Windows Server prints it (the layout sc.exe has had since Windows XP;
 * written down here, not captured on a Windows machine by this project), read into a state.
 */
class WindowsServiceTest {

    static final String RUNNING = """
            
            SERVICE_NAME: SMTPSVC
                    TYPE               : 20  WIN32_SHARE_PROCESS
                    STATE              : 4  RUNNING
                                            (STOPPABLE, PAUSABLE, ACCEPTS_SHUTDOWN)
                    WIN32_EXIT_CODE    : 0  (0x0)
                    SERVICE_EXIT_CODE  : 0  (0x0)
                    CHECKPOINT         : 0x0
                    WAIT_HINT          : 0x0
            """.replace("\n", "\r\n");

    static final String STOPPED = """
            
            SERVICE_NAME: SMTPSVC
                    TYPE               : 20  WIN32_SHARE_PROCESS
                    STATE              : 1  STOPPED
                    WIN32_EXIT_CODE    : 1077  (0x435)
                    SERVICE_EXIT_CODE  : 0  (0x0)
                    CHECKPOINT         : 0x0
                    WAIT_HINT          : 0x0
            """.replace("\n", "\r\n");

    static final String ABSENT = """
            [SC] EnumQueryServicesStatus:OpenService FAILED 1060:
            
            The specified service does not exist as an installed service.
            
            """.replace("\n", "\r\n");

    /** A German Windows: the labels are translated, the states are not. */
    static final String PAUSED_GERMAN = """
            
            SERVICE_NAME: SMTPSVC
                    TYP                : 20  WIN32_SHARE_PROCESS
                    STATUS             : 7  PAUSED
                                            (STOPPABLE, PAUSABLE, ACCEPTS_SHUTDOWN)
                    WIN32_EXITCODE     : 0  (0x0)
                    SERVICE_EXITCODE   : 0  (0x0)
                    CHECKPOINT         : 0x0
                    WAIT_HINT          : 0x0
            """.replace("\n", "\r\n");

    /** A driver's TYPE is 1, as STOPPED's number: the state is its number and its name together. */
    static final String DRIVER_STARTING = """
            
            SERVICE_NAME: somedriver
                    TYPE               : 1  KERNEL_DRIVER
                    STATE              : 2  START_PENDING
            """;

    @Test
    void theStatesAreRead() {
        assertThat(WindowsService.state(new WindowsService.Answer(0, RUNNING))).isEqualTo(WindowsService.State.RUNNING);
        assertThat(WindowsService.state(new WindowsService.Answer(0, STOPPED))).isEqualTo(WindowsService.State.STOPPED);
        assertThat(WindowsService.state(new WindowsService.Answer(1060, ABSENT))).isEqualTo(WindowsService.State.ABSENT);
        assertThat(WindowsService.state(new WindowsService.Answer(0, PAUSED_GERMAN)))
                .isEqualTo(WindowsService.State.PAUSED);
        assertThat(WindowsService.state(new WindowsService.Answer(0, DRIVER_STARTING)))
                .isEqualTo(WindowsService.State.START_PENDING);
    }

    @Test
    void whatIsNotAStateIsUnknownNotStopped() {
        assertThat(WindowsService.state(new WindowsService.Answer(5, "[SC] OpenSCManager FAILED 5:\r\n\r\nAccess is denied.\r\n")))
                .isEqualTo(WindowsService.State.UNKNOWN);
        assertThat(WindowsService.state(new WindowsService.Answer(0, ""))).isEqualTo(WindowsService.State.UNKNOWN);
    }

    @Test
    void aStateIsShownInWords() {
        assertThat(WindowsService.shown(WindowsService.State.STOP_PENDING)).isEqualTo("stop pending");
    }
}
