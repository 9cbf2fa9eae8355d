@echo off
rem mailroute's launcher for Windows (docs/cli.md); the same as bin/mailroute:
rem   mailroute run                     starts the gateway: java @config\jvm.options
rem                                     -XX:SharedArchiveFile=<the archive> -jar <the jar>
rem   mailroute doctor|track|queue|hash-password ...
rem                                     the command-line tools: the same and -XX:TieredStopAtLevel=1 ...
rem It works in the folder above bin\ (the project, or an installed copy with config\ and routes\),
rem wherever it is called from. The jar is target\mailroute.jar, else mailroute.jar beside config\;
rem the class-data archive beside it is used only if it is there.
rem Environment: JAVA_CMD (the java to run), else JAVA_HOME\bin\java.exe, else java from PATH;
rem MAILROUTE_JAVA_OPTS, more JVM options for run.
rem Not run on Windows yet (docs/windows.md, "What was tested how").
setlocal

set "COMMAND=%~1"
if "%COMMAND%"=="" goto usage_wrong
if /i "%COMMAND%"=="-h" goto usage
if /i "%COMMAND%"=="--help" goto usage
if /i "%COMMAND%"=="help" goto usage
if "%COMMAND%"=="run" goto found
if "%COMMAND%"=="doctor" goto found
if "%COMMAND%"=="track" goto found
if "%COMMAND%"=="queue" goto found
if "%COMMAND%"=="hash-password" goto found
rem the word itself is not echoed: & | > in it would be run as commands
echo mailroute: that is not a command. Fix: one of run, doctor, track, queue, hash-password 1>&2
goto usage_wrong

:found
rem no parenthesised blocks below: a path with ( ) in it, such as C:\Program Files (x86), would end them
pushd "%~dp0.." || exit /b 2
set "JAR=mailroute.jar"
if exist "target\mailroute.jar" set "JAR=target\mailroute.jar"
if not exist "%JAR%" goto no_jar
set "JAVA=java"
if defined JAVA_HOME set "JAVA=%JAVA_HOME%\bin\java.exe"
if defined JAVA_CMD set "JAVA=%JAVA_CMD%"
if not "%COMMAND%"=="run" goto tool
if not "%~2"=="" goto run_arguments
set "ARCHIVE=%JAR:.jar=.jsa%"
if not exist "%ARCHIVE%" goto run_without_archive
"%JAVA%" @config\jvm.options "-XX:SharedArchiveFile=%ARCHIVE%" %MAILROUTE_JAVA_OPTS% -jar "%JAR%"
goto done

:run_without_archive
"%JAVA%" @config\jvm.options %MAILROUTE_JAVA_OPTS% -jar "%JAR%"
goto done

:no_jar
echo mailroute: no target\mailroute.jar in %CD%. Fix: build it there: mvn -B package -DskipTests 1>&2
popd
exit /b 2

:run_arguments
echo mailroute: run takes no arguments. Fix: settings go in config\application.properties or the environment 1>&2
popd
exit /b 2

:tool
rem the tools: the archive too, its messages off (they would be printed among the tool's output),
rem and the first compiler only, which is all a run of a second gets to use (docs\performance.md)
set "ARCHIVE=%JAR:.jar=.jsa%"
if not exist "%ARCHIVE%" goto tool_without_archive
"%JAVA%" @config\jvm.options "-XX:SharedArchiveFile=%ARCHIVE%" -Xlog:cds=off -Xlog:cds+dynamic=off -XX:TieredStopAtLevel=1 -jar "%JAR%" %*
goto done

:tool_without_archive
"%JAVA%" @config\jvm.options -XX:TieredStopAtLevel=1 -jar "%JAR%" %*

:done
set "CODE=%ERRORLEVEL%"
popd
exit /b %CODE%

:usage
call :print_usage
exit /b 0

:usage_wrong
call :print_usage 1>&2
exit /b 2

:print_usage
echo usage: mailroute run                  start the gateway (stop it with Ctrl+C)
echo        mailroute doctor [...]         check the setup
echo        mailroute track [...]          what became of messages
echo        mailroute queue VERB [...]     look into and act on the queues (mailroute queue --help)
echo        mailroute hash-password        a password hash for mailroute.smtpd.users
exit /b 0
