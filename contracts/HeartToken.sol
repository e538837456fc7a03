// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Burnable} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Burnable.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IHeartToken} from "./interfaces/IHeartToken.sol";

/**
 * @title HeartToken
 * @notice ERC-20 "Heart" (HEART), 18 decimals, EIP-2612 permit, burnable. New tokens only come from
 * {mint}, restricted to MINTER_ROLE, which the RewardDistributor receives at construction.
 */
contract HeartToken is ERC20, ERC20Permit, ERC20Burnable, AccessControl, IHeartToken {
    /// @notice Role allowed to mint (the RewardDistributor).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    // The only MINTER_ROLE member, fixed at construction: checking an immutable instead of the role mapping
    // saves a cold SLOAD (2,100 gas) on every claim, and no admin key can ever add a mint path.
    address private immutable _minter;

    mapping(bytes32 redemptionId => bool) private _redemptionUsed;

    /// @param admin Receives DEFAULT_ADMIN_ROLE.
    /// @param minter_ Receives MINTER_ROLE, permanently and exclusively.
    constructor(address admin, address minter_) ERC20("Heart", "HEART") ERC20Permit("Heart") {
        if (admin == address(0) || minter_ == address(0)) revert HeartZeroAddress();
        _minter = minter_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        super._grantRole(MINTER_ROLE, minter_);
    }

    /// @inheritdoc IHeartToken
    function mint(address to, uint256 amount) external {
        if (_msgSender() != _minter) revert AccessControlUnauthorizedAccount(_msgSender(), MINTER_ROLE);
        _mint(to, amount);
    }

    /// @inheritdoc IHeartToken
    function redeem(uint256 amount, bytes32 redemptionId) external {
        _redeem(_msgSender(), amount, redemptionId);
    }

    /// @inheritdoc IHeartToken
    function redeemFrom(address account, uint256 amount, bytes32 redemptionId) external {
        // Same trust model as ERC20Burnable.burnFrom: the caller may burn at most what `account` allowed it.
        _spendAllowance(account, _msgSender(), amount);
        _redeem(account, amount, redemptionId);
    }

    /// @inheritdoc IHeartToken
    function minter() external view returns (address) {
        return _minter;
    }

    /// @inheritdoc IHeartToken
    function isRedemptionUsed(bytes32 redemptionId) external view returns (bool) {
        return _redemptionUsed[redemptionId];
    }

    /// @dev Burns `amount` of `account`'s tokens under a fresh, non-zero `redemptionId`.
    function _redeem(address account, uint256 amount, bytes32 redemptionId) private {
        if (amount == 0 || redemptionId == bytes32(0)) revert HeartInvalidRedemption();
        if (_redemptionUsed[redemptionId]) revert HeartRedemptionIdUsed(redemptionId);
        _redemptionUsed[redemptionId] = true;
        _burn(account, amount);
        emit Redeemed(account, amount, redemptionId);
    }

    /// @dev MINTER_ROLE membership is locked: it cannot be granted to anyone else.
    function _grantRole(bytes32 role, address account) internal override returns (bool) {
        if (role == MINTER_ROLE) revert HeartMinterRoleLocked();
        return super._grantRole(role, account);
    }

    /// @dev MINTER_ROLE membership is locked: it cannot be revoked or renounced.
    function _revokeRole(bytes32 role, address account) internal override returns (bool) {
        if (role == MINTER_ROLE) revert HeartMinterRoleLocked();
        return super._revokeRole(role, account);
    }
}
