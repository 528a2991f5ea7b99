// The webview tests live in test/webview/; mocha's spec (test/unit/**) picks them up through here.
import '../webview/state.test';
import '../webview/panel.test';
import '../webview/compare.test';
