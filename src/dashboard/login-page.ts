/**
 * The page a browser gets when the gateway has an API key and the browser has no session cookie yet;
 * after a wrong key it says so, and after too many it says how long to wait.
 */
export function loginPage(state: { failed?: boolean; waitSeconds?: number } = {}): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard: sign in</title>
<link rel="stylesheet" href="/dashboard/static/dashboard.css">
</head>
<body class="login">
<form method="post" action="/dashboard/login" class="login-form">
  <h1>Switchyard</h1>
  <p>This gateway has an API key. Enter it to open the dashboard.</p>
  ${state.failed ? '<p class="login-error" role="alert">That key is not the gateway\'s key.</p>' : ""}
  ${state.waitSeconds ? `<p class="login-error" role="alert">Too many wrong keys from this address. Try again in ${state.waitSeconds} s.</p>` : ""}
  <label for="key">API key</label>
  <input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
  <button type="submit">Sign in</button>
</form>
</body>
</html>
`;
}
