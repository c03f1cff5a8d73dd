"""moto's S3/EC2 server with its requests handled one at a time.

moto checks a conditional write's If-Match / If-None-Match and then writes, with no lock of
its own, on a threaded server: two racing conditional writes can both pass the check, which
real S3 never lets happen. The contention tests would then measure moto's lost updates, not
Palisade's. Here the WSGI app runs behind one lock (connections stay concurrent; the handling
of each request, body included, is serialized), so moto's conditional writes are as atomic
as S3's.

Usage: python scripts/moto-serial.py HOST PORT
"""
import sys
import threading

import moto.server as moto_server
from werkzeug.serving import run_simple


def serialized(app):
    lock = threading.Lock()

    def handle(environ, start_response):
        with lock:
            # the whole response is produced under the lock
            return list(app(environ, start_response))

    return handle


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    app = moto_server.DomainDispatcherApplication(moto_server.create_backend_app)
    run_simple(host, port, serialized(app), threaded=True)


if __name__ == "__main__":
    main()
