"""A local SMTP sink for the SMTP client's integration test (aiosmtpd, from
Debian's python3-aiosmtpd). Listens on a free port of 127.0.0.1, prints
"PORT <n>", then one JSON line per accepted message; exits when stdin closes.
Recipients starting with "reject" get 550, with "defer" get 451."""
import asyncio
import json
import socket
import sys

from aiosmtpd.smtp import SMTP


class Printer:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 no such user"
        if address.startswith("defer"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({
            "helo": session.host_name,
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "data": envelope.original_content.decode("utf-8", "replace"),
        }), flush=True)
        return "250 OK queued"


async def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    loop = asyncio.get_running_loop()
    await loop.create_server(lambda: SMTP(Printer(), hostname="sink.test"), sock=sock)
    print("PORT", sock.getsockname()[1], flush=True)
    await loop.run_in_executor(None, sys.stdin.read)


asyncio.run(main())
