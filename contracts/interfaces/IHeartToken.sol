// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IHeartToken
/// @notice The Heart (HEART) reward token: minted only by the reward distributor, burnt on redemption.
interface IHeartToken is IERC20 {
    /// @notice The redemption id was already used by an earlier redemption.
    /// @param redemptionId The id that was reused.
    error HeartRedemptionIdUsed(bytes32 redemptionId);

    /// @notice A redemption must burn a positive amount and carry a non-zero id.
    error HeartInvalidRedemption();

    /// @notice MINTER_ROLE is held by the RewardDistributor alone and can be neither granted nor revoked.
    error HeartMinterRoleLocked();

    /// @notice A constructor argument that must be an address was the zero address.
    error HeartZeroAddress();

    /// @notice Emitted when `account` burnt `amount` tokens to redeem them off-chain under `redemptionId`.
    event Redeemed(address indexed account, uint256 amount, bytes32 indexed redemptionId);

    /// @notice Mints `amount` tokens to `to`. Only callable by the MINTER_ROLE holder (the RewardDistributor);
    /// other callers get AccessControlUnauthorizedAccount(caller, MINTER_ROLE).
    /// @param to Receiver of the new tokens.
    /// @param amount Amount in wei (18 decimals).
    function mint(address to, uint256 amount) external;

    /// @notice Burns `amount` of the caller's tokens and records `redemptionId` as used.
    /// @dev Reverts with HeartRedemptionIdUsed if the id was already used.
    /// @param amount Amount to burn.
    /// @param redemptionId Off-chain redemption reference; each id is usable once.
    function redeem(uint256 amount, bytes32 redemptionId) external;

    /// @notice Burns `amount` of `account`'s tokens, spending the caller's allowance from `account` (set by
    /// approve or an EIP-2612 permit), and records `redemptionId` as used. Lets a relayer submit a player's
    /// redemption (permit + redeemFrom) so the player needs no gas; `Redeemed` names `account`, not the caller.
    /// @dev Reverts with ERC20InsufficientAllowance past the allowance, and like {redeem} otherwise.
    /// @param account Whose tokens are burnt.
    /// @param amount Amount to burn.
    /// @param redemptionId Off-chain redemption reference; each id is usable once.
    function redeemFrom(address account, uint256 amount, bytes32 redemptionId) external;

    /// @notice The sole MINTER_ROLE holder (the RewardDistributor).
    function minter() external view returns (address);

    /// @notice Whether `redemptionId` has already been used.
    function isRedemptionUsed(bytes32 redemptionId) external view returns (bool);
}
