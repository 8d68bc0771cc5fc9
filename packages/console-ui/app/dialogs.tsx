import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

function Modal(props: { title: string; children: ComponentChildren; onClose: () => void }) {
  return (
    <div class="backdrop">
      <div
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        onKeyDown={(e) => e.key === 'Escape' && props.onClose()}
      >
        <h2>{props.title}</h2>
        {props.children}
      </div>
    </div>
  );
}

/** What an action asks before it runs: a sentence, and a number when it needs one. */
export interface Confirmation {
  readonly title: string;
  readonly text: string;
  readonly confirmLabel: string;
  readonly number?: {
    readonly label: string;
    readonly value: number;
    readonly min: number;
    readonly max: number;
  };
  readonly run: (n: number | undefined) => Promise<void>;
}

export function ConfirmDialog(props: { c: Confirmation; onClose: () => void }) {
  const [n, setN] = useState(props.c.number?.value ?? 0);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await props.c.run(props.c.number ? n : undefined);
    } finally {
      setBusy(false);
      props.onClose();
    }
  };
  return (
    <Modal title={props.c.title} onClose={props.onClose}>
      <form onSubmit={submit}>
        <p>{props.c.text}</p>
        {props.c.number && (
          <label>
            {props.c.number.label}
            <input
              type="number"
              name="number"
              min={props.c.number.min}
              max={props.c.number.max}
              value={n}
              onInput={(e) => setN(Number((e.target as HTMLInputElement).value))}
            />
          </label>
        )}
        <div class="dialog-buttons">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {props.c.confirmLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function LoginDialog(props: {
  onLogin: (id: string, secret: string) => Promise<void>;
  onClose: () => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await props.onLogin(String(form.get('accessKeyId') ?? ''), String(form.get('secretAccessKey') ?? ''));
      props.onClose();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title="Log in" onClose={props.onClose}>
      <form onSubmit={submit} autocomplete="off">
        <p class="muted">
          Use an access key pair of this Baton's API (the keys `baton serve` was started with).
        </p>
        <label>
          Access key id
          <input name="accessKeyId" required autocomplete="username" />
        </label>
        <label>
          Secret access key
          <input name="secretAccessKey" type="password" required autocomplete="current-password" />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-buttons">
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Log in
          </button>
        </div>
      </form>
    </Modal>
  );
}
