import { call } from './docker-client.js';
export async function openExecSession(docker, streams, containerName, cmd, timeoutMs) {
    const created = (await call('exec create', (abortSignal) => docker
        .getContainer(containerName)
        .exec({
        Cmd: cmd,
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
        abortSignal,
    })
        .then((e) => ({ id: e.id })), { timeoutMs }));
    // The hijacked socket must not inherit the modem's idle timeout: a shell may be quiet for long.
    const exec = streams.getExec(created.id);
    const socket = (await call('exec start', (abortSignal) => exec.start({
        hijack: true,
        stdin: true,
        Detach: false,
        Tty: true,
        abortSignal,
    }), { timeoutMs }));
    // A socket error (engine gone) ends the output; it must never become an uncaught exception.
    socket.on('error', () => socket.destroy());
    let closed = false;
    return {
        output: socket,
        write: (data) => {
            if (!closed && socket.writable)
                socket.write(data);
        },
        resize: async (cols, rows) => {
            await call('exec resize', (abortSignal) => docker.getExec(created.id).resize({ h: rows, w: cols, abortSignal }), {
                timeoutMs,
            });
        },
        close: () => {
            if (closed)
                return;
            closed = true;
            // Docker keeps the exec's TTY open when the attach connection goes (there is no "exec kill"
            // either), so a shell would live on: interrupt the line (Ctrl-C), then EOF (Ctrl-D) ends it.
            if (socket.writable)
                socket.write('\x03\x04');
            socket.end();
            setTimeout(() => socket.destroy(), 1000).unref();
        },
    };
}
//# sourceMappingURL=exec-session.js.map