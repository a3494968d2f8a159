"""Run one peer on one file and print its seconds (run by bench/x12.py in the peers' venv)."""

from __future__ import annotations

import sys
import time


def main() -> None:
    peer, path = sys.argv[1], sys.argv[2]
    t = time.perf_counter()
    if peer == "edi-835-parser":
        from edi_835_parser import parse

        parse(path)
    elif peer == "linuxforhealth-x12":
        from linuxforhealth.x12.io import X12ModelReader

        with X12ModelReader(path) as reader:
            for _ in reader.models():
                pass
    elif peer == "pyx12":
        import logging

        import pyx12.error_handler
        import pyx12.params
        import pyx12.x12n_document

        logging.disable(logging.CRITICAL)
        params = pyx12.params.params()
        errh = pyx12.error_handler.errh_null()
        with open(path) as src:
            pyx12.x12n_document.x12n_document(params, src, None, None, None)
        del errh
    else:
        raise SystemExit(f"unknown peer {peer}")
    print(f"{time.perf_counter() - t:.4f}")


if __name__ == "__main__":
    main()
