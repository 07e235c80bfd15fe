// Passkeys and security keys (WebAuthn): adding one on the security page, and using one at the
// second-factor step or the confirm-again page. The server (django-otp-webauthn, wrapped by
// shelter/accounts/webauthn.py) makes the options and checks the answers; this file only moves
// them between the page, the browser's authenticator and the JSON endpoints. A static file: the
// CSP allows no inline script.
(() => {
  "use strict";

  const toBytes = (value) => {
    const base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const toBase64url = (buffer) => {
    let text = "";
    new Uint8Array(buffer).forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const csrfToken = (root) => {
    const input = root.querySelector("input[name=csrfmiddlewaretoken]")
      || document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  // POST JSON; answers the parsed body, or throws an Error carrying the server's message.
  const post = async (url, body, token) => {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch (_e) { data = {}; }
    if (!response.ok) {
      const error = new Error(data.detail || response.statusText);
      // Adding a passkey needs a recent second factor: the server names where to confirm it.
      if (typeof data.reverify === "string" && data.reverify.startsWith("/")
          && !data.reverify.startsWith("//")) {
        error.reverify = data.reverify;
      }
      throw error;
    }
    return data;
  };

  const show = (root, message) => {
    const box = root.querySelector("[data-passkey-error]");
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
  };

  const creationOptions = (o) => ({
    ...o,
    challenge: toBytes(o.challenge),
    user: {...o.user, id: toBytes(o.user.id)},
    excludeCredentials: (o.excludeCredentials || []).map((c) => ({...c, id: toBytes(c.id)})),
  });
  const requestOptions = (o) => ({
    ...o,
    challenge: toBytes(o.challenge),
    allowCredentials: (o.allowCredentials || []).map((c) => ({...c, id: toBytes(c.id)})),
  });

  const registrationJSON = (credential) => ({
    id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
      attestationObject: toBase64url(credential.response.attestationObject),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    },
  });
  const assertionJSON = (credential) => ({
    id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults(),
    response: {
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
      authenticatorData: toBase64url(credential.response.authenticatorData),
      signature: toBase64url(credential.response.signature),
      userHandle: credential.response.userHandle
        ? toBase64url(credential.response.userHandle) : null,
    },
  });

  const cancelled = (root, error) => {
    // The person closed the browser's dialog, or no authenticator answered: say so plainly.
    show(root, error && error.name === "NotAllowedError"
      ? root.getAttribute("data-cancelled") || error.message : error.message);
  };

  const register = async (form) => {
    show(form, "");
    const token = csrfToken(form);
    const name = (form.querySelector("input[name=name]") || {}).value || "";
    try {
      const options = await post(form.dataset.beginUrl, {}, token);
      const credential = await navigator.credentials.create({publicKey: creationOptions(options)});
      await post(form.dataset.completeUrl, {name, credential: registrationJSON(credential)}, token);
      window.location.assign(form.dataset.doneUrl);
    } catch (error) {
      if (error.reverify) { window.location.assign(error.reverify); return; }
      cancelled(form, error);
    }
  };

  const signIn = async (root) => {
    show(root, "");
    const token = csrfToken(root);
    try {
      const options = await post(root.dataset.beginUrl, {}, token);
      const credential = await navigator.credentials.get({publicKey: requestOptions(options)});
      const done = await post(root.dataset.completeUrl, assertionJSON(credential), token);
      window.location.assign(done.redirect_url || "/");
    } catch (error) {
      cancelled(root, error);
    }
  };

  document.addEventListener("DOMContentLoaded", () => {
    const supported = !!(window.PublicKeyCredential && navigator.credentials);
    document.querySelectorAll("form[data-passkey-register]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (supported) register(form); else show(form, form.dataset.unsupported || "");
      });
    });
    document.querySelectorAll("[data-passkey-sign-in]").forEach((root) => {
      const button = root.querySelector("[data-passkey-button]");
      if (!supported) { button.hidden = true; return; }
      button.addEventListener("click", () => signIn(root));
    });
  });
})();
