"""Driver of tests/interop/python.test.ts: runs the Python decoder (interop/python/
sparsegrad_decode.py) over many frames in one process and prints one JSON object.

  py_driver.py DECODER_DIR vectors VECTORS_DIR
      {"valid": {name: result}, "invalid": {name: result}} over tests/vectors/manifest.json
      (invalid frames decoded with the limits of their .json)
  py_driver.py DECODER_DIR files LIST.json
      LIST.json: [{"path", "maxBytes"?, "maxElements"?, "allowNonFinite"?, "masks"?}, ...] -> [result, ...]

A result is {"decoded": <frame_to_json>, "masks": <the mask store after>} or {"error": {"code",
"offset", "message"}, "masks": <the mask store after>}. "masks" (a {name: [indices]} mask store)
is decoded with when given (vectors: from the vector's .json).
"""
import json
import os
import sys

sys.path.insert(0, sys.argv[1])
import sparsegrad_decode as sg  # noqa: E402


def run(path, max_bytes=None, max_elements=None, allow_nonfinite=False, masks=None):
    with open(path, 'rb') as fh:
        data = fh.read()
    store = None if masks is None else {k: list(v) for k, v in masks.items()}
    extra = {} if store is None else {'masks': store}
    try:
        frame = sg.decode(data, max_elements=max_elements, max_bytes=max_bytes, allow_nonfinite=allow_nonfinite,
                          masks=store)
        if store is not None:
            extra['masks'] = {k: [int(x) for x in v] for k, v in store.items()}
        return {'decoded': sg.frame_to_json(frame), **extra}
    except sg.FormatError as e:
        return {'error': {'code': e.code, 'offset': e.offset, 'message': e.message}, **extra}


mode = sys.argv[2]
if mode == 'vectors':
    root = sys.argv[3]
    with open(os.path.join(root, 'manifest.json'), encoding='utf-8') as fh:
        manifest = json.load(fh)
    out = {'valid': {}, 'invalid': {}}
    for name in manifest['valid']:
        with open(os.path.join(root, 'valid', name + '.json'), encoding='utf-8') as fh:
            masks = json.load(fh).get('masks')
        out['valid'][name] = run(os.path.join(root, 'valid', name + '.bin'), masks=masks)
    for name in manifest['invalid']:
        with open(os.path.join(root, 'invalid', name + '.json'), encoding='utf-8') as fh:
            spec = json.load(fh)
        limits = spec.get('limits') or {}
        out['invalid'][name] = run(os.path.join(root, 'invalid', name + '.bin'),
                                   limits.get('maxBytes'), limits.get('maxElements'), masks=spec.get('masks'))
elif mode == 'files':
    with open(sys.argv[3], encoding='utf-8') as fh:
        items = json.load(fh)
    out = [run(it['path'], it.get('maxBytes'), it.get('maxElements'), bool(it.get('allowNonFinite')), it.get('masks'))
           for it in items]
else:
    sys.exit(f'unknown mode {mode}')
json.dump(out, sys.stdout)
