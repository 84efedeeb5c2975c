// StreamWebSocketControl / Information and the after-connect rules of reference §17.2.
import { InvalidArgumentError, InvalidStateError } from "@netsockets/errors";
import { PasswordCredential, ZERO_BANDWIDTH_STATISTICS } from "@netsockets/node";
import { afterEach, describe, expect, it } from "vitest";
import { refusingPort } from "../../../tests/support/servers.js";
import {
  DEFAULT_INBOUND_BUFFER_SIZE,
  DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE,
  StreamWebSocket,
} from "../src/index.js";
import { startServer, type TestServer } from "./helpers.js";

const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.listener.close({ timeoutMs: 1000 });
});

async function server(options = {}): Promise<TestServer> {
  const s = await startServer(() => {}, options);
  servers.push(s);
  return s;
}

describe("StreamWebSocketControl", () => {
  it("has the WinRT defaults and the node options", () => {
    const { control, information } = new StreamWebSocket();
    expect(control.noDelay).toBe(true);
    expect(control.outboundBufferSizeInBytes).toBe(DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE);
    expect(DEFAULT_STREAM_OUTBOUND_BUFFER_SIZE).toBe(1024 * 1024);
    expect(control.inboundBufferSizeInBytes).toBe(DEFAULT_INBOUND_BUFFER_SIZE);
    expect(control.serverCredential).toBeNull();
    expect(control.proxyCredential).toBeNull();
    expect(control.supportedProtocols).toEqual([]);
    expect(control.ignorableServerCertificateErrors).toEqual([]);
    expect(control.clientCertificate).toBeNull();
    expect(control.desiredUnsolicitedPongInterval).toBe(0);
    expect(control.actualUnsolicitedPongInterval).toBe(0);
    expect(control.closeTimeoutMs).toBe(30_000);
    expect(information.protocol).toBeNull();
    expect(information.localAddress).toBeNull();
    expect(information.serverCertificate).toBeNull();
    expect(information.bandwidthStatistics).toEqual(ZERO_BANDWIDTH_STATISTICS);
  });

  it("validates values and option names", () => {
    const socket = new StreamWebSocket();
    expect(() => {
      socket.control.noDelay = 1 as unknown as boolean;
    }).toThrow(InvalidArgumentError);
    expect(() => {
      socket.control.outboundBufferSizeInBytes = 0;
    }).toThrow(InvalidArgumentError);
    expect(() => {
      socket.control.inboundBufferSizeInBytes = -1;
    }).toThrow(InvalidArgumentError);
    expect(() => new StreamWebSocket({ messageType: 1 } as never)).toThrow(InvalidArgumentError);
    expect(new StreamWebSocket({ noDelay: false, supportedProtocols: ["a"] }).control.noDelay).toBe(
      false,
    );
  });

  it("after connect: noDelay, credentials and the rest throw; buffer sizes are accepted; lists are ignored (§17.2)", async () => {
    const s = await server({ supportedProtocols: ["b", "a"] });
    const socket = new StreamWebSocket({ proxy: false, supportedProtocols: ["a"] });
    await socket.connectAsync(s.url);
    expect(socket.information.protocol).toBe("a");
    const locked = (set: () => void) => expect(set).toThrow(InvalidStateError);
    locked(() => {
      socket.control.noDelay = false;
    });
    locked(() => {
      socket.control.serverCredential = new PasswordCredential("r", "u", "p");
    });
    locked(() => {
      socket.control.proxyCredential = null;
    });
    locked(() => {
      socket.control.desiredUnsolicitedPongInterval = 1000;
    });
    locked(() => {
      socket.control.clientCertificate = null;
    });
    locked(() => socket.setRequestHeader("x-late", "1"));
    socket.control.outboundBufferSizeInBytes = 1024; // no effect, no error
    socket.control.inboundBufferSizeInBytes = 1024;
    socket.control.supportedProtocols.push("late"); // ignored
    expect(socket.information.protocol).toBe("a");
    socket.close();
    // Also after close (WinRT: "even once closed").
    locked(() => {
      socket.control.noDelay = false;
    });
  });

  it("after a failed connect the control is editable again and a retry uses the new values", async () => {
    const socket = new StreamWebSocket({ proxy: false });
    socket.control.supportedProtocols.push("old");
    await expect(socket.connectAsync(`ws://127.0.0.1:${await refusingPort()}/`)).rejects.toThrow();
    socket.control.noDelay = false;
    socket.control.supportedProtocols.splice(0, 1, "new");
    socket.setRequestHeader("X-Retry", "yes");
    const s = await server({ supportedProtocols: ["new"] });
    let header: unknown;
    s.listener.control.upgradeHook = (request) => {
      header = request.headers["x-retry"];
      return undefined;
    };
    await socket.connectAsync(s.url);
    expect(socket.information.protocol).toBe("new");
    expect(header).toBe("yes");
    socket.close();
  });

  it("setRequestHeader refuses the handshake's own headers", () => {
    const socket = new StreamWebSocket();
    for (const name of ["Host", "Upgrade", "Connection", "Sec-WebSocket-Extensions"]) {
      expect(() => socket.setRequestHeader(name, "x")).toThrow(InvalidArgumentError);
    }
    expect(() => socket.setRequestHeader("X-Ok", "a\r\nb")).toThrow(InvalidArgumentError);
  });

  it("the listener's control configures accepted sockets; their connectAsync throws", async () => {
    const s = await server({ inboundBufferSizeInBytes: 4096, noDelay: false });
    const client = new StreamWebSocket({ proxy: false });
    const accepted = s.nextSocket();
    await client.connectAsync(s.url);
    const peer = await accepted;
    expect(peer.control.inboundBufferSizeInBytes).toBe(4096);
    expect(peer.control.noDelay).toBe(false);
    expect(peer.information.localAddress).toBe("127.0.0.1");
    await expect(peer.connectAsync(s.url)).rejects.toBeInstanceOf(InvalidStateError);
    expect(() => {
      peer.control.noDelay = true;
    }).toThrow(InvalidStateError);
    client.close();
  });

  it("information stays readable after close; close validates code and reason", async () => {
    const s = await server();
    const socket = new StreamWebSocket({ proxy: false });
    await socket.connectAsync(s.url);
    expect(() => socket.close(1005)).toThrow(InvalidArgumentError);
    expect(() => socket.close(1000, "x".repeat(124))).toThrow(InvalidArgumentError);
    expect(() => socket.close(undefined, "reason")).toThrow(InvalidArgumentError);
    socket.close(3000, "ok");
    socket.close(); // no-op
    expect(socket.information.localAddress).toBe("127.0.0.1");
  });
  it("the unsolicited pong interval is clamped and reported as actualUnsolicitedPongInterval", async () => {
    const s = await server();
    const socket = new StreamWebSocket({ proxy: false, desiredUnsolicitedPongInterval: 50 });
    expect(socket.control.actualUnsolicitedPongInterval).toBe(100);
    await socket.connectAsync(s.url);
    expect(socket.control.actualUnsolicitedPongInterval).toBe(100);
    socket.close();
  });
});
